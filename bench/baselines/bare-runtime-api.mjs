// The process-environment cold-start baseline: the same runtime client,
// spawned by hand against the smallest Runtime API that serves it one event
// on node:http, timed from spawn() to its answer. No pool, no host, no Hono.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { dirname } from 'node:path'
import { performance } from 'node:perf_hooks'

function eventHeaders(requestId) {
  return {
    'Content-Type': 'application/json',
    'Lambda-Runtime-Aws-Request-Id': requestId,
    'Lambda-Runtime-Deadline-Ms': String(Date.now() + 3000),
    'Lambda-Runtime-Invoked-Function-Arn': 'arn:aws:lambda:us-east-1:000000000000:function:noop',
    'Lambda-Runtime-Trace-Id': 'Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0',
  }
}

function spawnClient(command, env, cwd, server) {
  return spawn(command[0], command.slice(1), {
    cwd,
    env: {
      PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
      AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${server.address().port}`,
      ...env,
    },
    stdio: 'ignore',
  })
}

/** Milliseconds from spawning `command` to its answer to one event. */
export async function bareSpawn(command, env, cwd) {
  let answered
  const done = new Promise((resolve) => {
    answered = resolve
  })
  const server = createServer((req, res) => {
    if (req.url.endsWith('/invocation/next')) {
      res.writeHead(200, eventHeaders('bench-1'))
      res.end('{}')
      return
    }
    req.resume()
    req.on('end', () => {
      res.writeHead(202, { 'Content-Type': 'application/json' })
      res.end('{"status":"OK"}')
      answered()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const start = performance.now()
  const child = spawnClient(command, env, cwd, server)
  await done
  const elapsed = performance.now() - start
  child.kill('SIGKILL')
  server.closeAllConnections()
  server.close()
  return elapsed
}

/**
 * The warm baseline: `count` processes of the same client, each polling a
 * bare node:http Runtime API of its own, events handed to whichever asks
 * first. What the client itself can do, with nothing of lambdalet between.
 */
export class BareRuntimeApis {
  #queue = []
  #polls = []
  #servers = []
  #children = []
  #sequence = 0

  static async start(command, env, cwd, count) {
    const apis = new BareRuntimeApis()
    const ready = []
    for (let i = 0; i < count; i++) ready.push(apis.#spawn(command, env, cwd))
    await Promise.all(ready)
    return apis
  }

  /** Resolves with the client's answer to `event` (JSON text). */
  invoke(event) {
    return new Promise((resolve) => {
      this.#queue.push({ event, resolve })
      this.#dispatch()
    })
  }

  close() {
    for (const child of this.#children) child.kill('SIGKILL')
    for (const server of this.#servers) {
      server.closeAllConnections()
      server.close()
    }
  }

  async #spawn(command, env, cwd) {
    const running = new Map()
    let first
    const asked = new Promise((resolve) => {
      first = resolve
    })
    const server = createServer((req, res) => {
      if (req.url.endsWith('/invocation/next')) {
        this.#polls.push({ res, running })
        first()
        this.#dispatch()
        return
      }
      const id = req.url.split('/')[4]
      const chunks = []
      req.on('data', (chunk) => chunks.push(chunk))
      req.on('end', () => {
        res.writeHead(202, { 'Content-Type': 'application/json' })
        res.end('{"status":"OK"}')
        running.get(id)?.(Buffer.concat(chunks).toString())
        running.delete(id)
      })
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    this.#servers.push(server)
    this.#children.push(spawnClient(command, env, cwd, server))
    await asked
  }

  #dispatch() {
    while (this.#queue.length > 0 && this.#polls.length > 0) {
      const { event, resolve } = this.#queue.shift()
      const { res, running } = this.#polls.shift()
      const id = `bench-${++this.#sequence}`
      running.set(id, resolve)
      res.writeHead(200, eventHeaders(id))
      res.end(event)
    }
  }
}
