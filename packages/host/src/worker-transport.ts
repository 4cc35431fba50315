import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads'
import {
  type ErrorShape,
  ErrorType,
  type HostMessage,
  type RuntimeConfig,
  type RuntimeMessage,
  type StartedMessage,
} from '@lambdalet/protocol'
import type { Transport, TransportEvents, TransportFactory } from './transport.js'

export interface WorkerThreadsSettings {
  /** The runtime's worker file (never the user's module: the runtime loads that itself). */
  workerFile: string
  config: RuntimeConfig
  /** The function's own `process.env`. */
  env: Record<string, string>
  memoryMb: number
}

/**
 * Environments on worker threads: one `Worker` per environment, running the
 * runtime's worker file, which starts the runtime loop on the MessagePort it
 * is given. Node's `Worker` supplies what an environment needs of a thread:
 * `resourceLimits`, its own `env`, `terminate()`, and an `'exit'` (after an
 * `'error'` with the cause, out of memory included) when it dies by itself.
 *
 * Written by hand rather than on Piscina on purpose: an environment is a
 * thread for its whole life, not a task, and Piscina refs a thread (and its
 * own port) while its task runs, so a host whose caller forgot `close()`
 * kept the process alive; Piscina's task dispatch was not used either.
 */
export function workerThreads(settings: WorkerThreadsSettings): TransportFactory {
  /** Threads started and not exited yet. */
  const running = new Set<Promise<void>>()
  return {
    start: (events) => {
      const transport = new WorkerTransport(settings, events)
      const exited = transport.exited.then(() => {
        running.delete(exited)
      })
      running.add(exited)
      return transport
    },
    // Every transport was destroyed first: this waits for their threads to
    // be gone, as a closed host promises, but not forever, since a thread
    // blocked in a native call only exits when the call returns.
    async close() {
      let timer: NodeJS.Timeout | undefined
      const cap = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_WAIT_MS)
      })
      await Promise.race([Promise.all(running), cap])
      clearTimeout(timer)
    },
  }
}

/** The longest `close()` waits for destroyed threads to exit. */
const CLOSE_WAIT_MS = 10_000

/**
 * `running`: the thread exists. `exited`: it ended by itself. `dying`:
 * destroyed, its thread not gone yet. `gone`: destroyed and nothing left.
 */
type Phase = 'running' | 'exited' | 'dying' | 'gone'

class WorkerTransport implements Transport {
  #phase: Phase = 'running'
  #worker: Worker
  #port: MessagePort
  #events: TransportEvents
  /** What the thread died of, from its `'error'` before its `'exit'`. */
  #cause: Error | undefined
  /** Resolves when the thread has exited, whatever the cause. */
  readonly exited: Promise<void>

  constructor(settings: WorkerThreadsSettings, events: TransportEvents) {
    this.#events = events
    const { port1, port2 } = new MessageChannel()
    this.#port = port1
    port1.on('message', (message: RuntimeMessage) => this.#onMessage(message))
    this.#worker = new Worker(settings.workerFile, {
      workerData: { lambdaletEnvironment: { port: port2, config: settings.config } },
      transferList: [port2],
      env: settings.env,
      resourceLimits: { maxOldGenerationSizeMb: settings.memoryMb },
    })
    // Neither the port nor the thread keeps the process alive: an embedded
    // host whose caller forgot close() lets it exit. An environment that
    // starts or runs an invocation does, through its timers (environment.ts).
    port1.unref()
    this.#worker.unref()
    this.#worker.on('error', (error) => {
      this.#cause = error
    })
    this.exited = new Promise((resolve) => {
      this.#worker.once('exit', (code) => {
        this.#onExit(code)
        resolve()
      })
    })
  }

  send(message: HostMessage): void {
    // Buffers handed back to a stream are moved, not copied.
    if (message.type === 'stream-credit' && message.buffers !== undefined) {
      this.#port.postMessage(message, message.buffers)
    } else {
      this.#port.postMessage(message)
    }
  }

  drain(): Array<Exclude<RuntimeMessage, StartedMessage>> {
    const waiting: Array<Exclude<RuntimeMessage, StartedMessage>> = []
    if (this.#phase !== 'running') return waiting
    for (;;) {
      const received = receiveMessageOnPort(this.#port) as { message: RuntimeMessage } | undefined
      if (received === undefined) return waiting
      if (received.message.type !== 'started') waiting.push(received.message)
    }
  }

  destroy(): boolean {
    if (this.#phase !== 'running') {
      if (this.#phase === 'exited') this.#phase = 'gone'
      return false
    }
    this.#phase = 'dying'
    this.#port.close()
    // Held until it has exited: an invocation may be waiting for its place
    // under the thread bound, and nothing else may keep the process alive.
    this.#worker.ref()
    // Not awaited: a thread blocked in a native call exits only when it returns.
    void this.#worker.terminate()
    return true
  }

  #onMessage(message: RuntimeMessage): void {
    if (this.#phase !== 'running') return
    if (message.type === 'started') this.#events.started()
    else this.#events.message(message)
  }

  #onExit(code: number): void {
    if (this.#phase === 'dying') {
      this.#phase = 'gone'
      this.#events.exited()
    } else if (this.#phase === 'running') {
      this.#phase = 'exited'
      this.#events.ended(exitError(this.#cause, code))
    }
  }
}

function exitError(cause: Error | undefined, code: number): ErrorShape {
  if ((cause as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return {
      errorType: ErrorType.OutOfMemory,
      errorMessage: 'Error: Runtime exited with error: JS heap out of memory',
      trace: [],
    }
  }
  const detail = cause === undefined ? `exit status ${code}` : `${cause.name}: ${cause.message}`
  return { errorType: ErrorType.ExitError, errorMessage: `Error: Runtime exited with error: ${detail}`, trace: [] }
}
