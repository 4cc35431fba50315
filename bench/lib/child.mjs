import { fork } from 'node:child_process'

/**
 * A bench child process driven over IPC, its stdout where the user's logs
 * would go: `'pipe'` (drained by this process, as a terminal or a log
 * collector would read it), a file descriptor, or `'ignore'`.
 * `request(message)` resolves with the child's answer to it.
 */
export function startChild(file, stdout) {
  const child = fork(file, { stdio: ['ignore', stdout, 'inherit', 'ipc'] })
  if (stdout === 'pipe') child.stdout.resume()
  const waiting = new Map()
  let nextId = 0
  child.on('message', ({ id, result, error }) => {
    const pending = waiting.get(id)
    if (pending === undefined) return
    waiting.delete(id)
    if (error === undefined) pending.resolve(result)
    else pending.reject(new Error(error))
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  exited.then((code) => {
    for (const { reject } of waiting.values()) reject(new Error(`${file} exited with code ${code}`))
    waiting.clear()
  })
  return {
    request(message) {
      return new Promise((resolve, reject) => {
        const id = nextId++
        waiting.set(id, { resolve, reject })
        child.send({ id, ...message })
      })
    },
    async close() {
      child.disconnect()
      await exited
    },
  }
}

/** The child's side: answers each request with `handle(message)`. */
export function serveRequests(handle) {
  process.on('message', async ({ id, ...message }) => {
    try {
      process.send({ id, result: await handle(message) })
    } catch (error) {
      process.send({ id, error: String(error?.stack ?? error) })
    }
  })
}
