import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const file = fileURLToPath(new URL('./load-generator.mjs', import.meta.url))

/** A handle on the load-generator child: `run(options)` resolves with autocannon's figures. */
export function startLoadGenerator() {
  const child = fork(file, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const waiting = new Map()
  let nextId = 0
  child.on('message', ({ id, result, error }) => {
    const { resolve, reject } = waiting.get(id)
    waiting.delete(id)
    if (error === undefined) resolve(result)
    else reject(new Error(`autocannon failed: ${error}`))
  })
  child.on('exit', (code) => {
    for (const { reject } of waiting.values()) reject(new Error(`The load generator exited with code ${code}`))
    waiting.clear()
  })
  return {
    run(options) {
      return new Promise((resolve, reject) => {
        const id = nextId++
        waiting.set(id, { resolve, reject })
        child.send({ id, options })
      })
    },
    close() {
      child.disconnect()
    },
  }
}
