import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { MessageChannel, Worker } from 'node:worker_threads'

const workerFile = fileURLToPath(new URL('./pull-loop-worker.mjs', import.meta.url))

/**
 * A hand-written pull loop: `size` workers, each handed an event only after
 * it asked for one, with the event and the result as JSON text on a
 * MessagePort. No queue limits, timeouts, logs or request ids: what
 * lambdalet's host is compared with is the bare mechanism.
 */
export class PullLoop {
  #idle = []
  #waiting = []
  #pending = new Map()
  #nextId = 0
  #workers = []

  static async start(moduleUrl, size) {
    const loop = new PullLoop()
    await Promise.all(Array.from({ length: size }, () => loop.#spawn(moduleUrl)))
    return loop
  }

  async #spawn(moduleUrl) {
    const { port1, port2 } = new MessageChannel()
    const worker = new Worker(workerFile, { workerData: { port: port2, moduleUrl }, transferList: [port2] })
    this.#workers.push(worker)
    const [first] = await once(port1, 'message')
    if (first.type !== 'next') throw new Error('the pull-loop worker did not start')
    port1.on('message', (message) => {
      const resolve = this.#pending.get(message.id)
      this.#pending.delete(message.id)
      this.#dispatch(port1)
      resolve(message.body)
    })
    this.#dispatch(port1)
  }

  /** The raw call: JSON text in, JSON text out. */
  invokeRaw(event) {
    return new Promise((resolve) => {
      const id = this.#nextId++
      this.#pending.set(id, resolve)
      const port = this.#idle.pop()
      if (port === undefined) this.#waiting.push({ id, event })
      else port.postMessage({ id, event })
    })
  }

  /** As `host.invoke`: the caller's value is stringified, the result parsed. */
  async invoke(event) {
    return JSON.parse(await this.invokeRaw(JSON.stringify(event)))
  }

  #dispatch(port) {
    const next = this.#waiting.shift()
    if (next === undefined) this.#idle.push(port)
    else port.postMessage(next)
  }

  async close() {
    await Promise.all(this.#workers.map((worker) => worker.terminate()))
  }
}
