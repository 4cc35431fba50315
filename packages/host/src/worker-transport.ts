import { MessageChannel, type MessagePort, receiveMessageOnPort } from 'node:worker_threads'
import {
  type ErrorShape,
  ErrorType,
  type InvokeMessage,
  type RuntimeConfig,
  type RuntimeMessage,
  type StartedMessage,
} from '@lambdalet/protocol'
import { Piscina } from 'piscina'
import type { Transport, TransportEvents, TransportFactory } from './transport.js'

export interface WorkerThreadsSettings {
  /** The runtime's worker file (never the user's module: the runtime loads that itself). */
  workerFile: string
  config: RuntimeConfig
  /** The function's own `process.env`. */
  env: Record<string, string>
  memoryMb: number
  /** The pool's bound on threads, live and still exiting. */
  maxThreads: number
}

/**
 * Environments on worker threads. Piscina is here for what it does well:
 * spawning threads with `resourceLimits` and `env`, and reporting a thread
 * that died under a task (its rejection carries the cause, out of memory
 * included). Each environment is one long-running task; Piscina's own
 * dispatch of tasks is not used, the MessagePort is.
 */
export function workerThreads(settings: WorkerThreadsSettings): TransportFactory {
  const pool = new Piscina({
    filename: settings.workerFile,
    // Each task is a whole environment; the thread is ours until it dies.
    minThreads: 0,
    // The pool's own bound (live + dying) is the limit; Piscina's is set
    // above it so it never queues an environment behind another one, which
    // would never finish.
    maxThreads: settings.maxThreads + 1,
    concurrentTasksPerWorker: 1,
    idleTimeout: 1000,
    // Sync atomics would pause a worker between tasks; our loop waits on its port.
    atomics: 'disabled',
    resourceLimits: { maxOldGenerationSizeMb: settings.memoryMb },
    env: settings.env,
  })
  // Piscina reports here only a thread that failed with no task in it: one it
  // spawned for a task aborted before it was handed over. No invocation is
  // concerned, but it is not silent either.
  pool.on('error', (error: unknown) => {
    process.emitWarning(`lambdalet: a worker thread holding no environment failed: ${String(error)}`)
  })
  return {
    start: (events) => new WorkerTransport(pool, settings.config, events),
    close: () => pool.destroy(),
  }
}

/**
 * `queued`: handed to Piscina, no thread runs it yet. `running`: the runtime
 * said `started`. `exited`: its thread ended by itself. `dying`: destroyed,
 * its thread not gone yet. `gone`: destroyed and nothing left.
 */
type Phase = 'queued' | 'running' | 'exited' | 'dying' | 'gone'

class WorkerTransport implements Transport {
  #phase: Phase = 'queued'
  #port: MessagePort
  #abort = new AbortController()
  #events: TransportEvents

  constructor(pool: Piscina, config: RuntimeConfig, events: TransportEvents) {
    this.#events = events
    const { port1, port2 } = new MessageChannel()
    this.#port = port1
    port1.on('message', (message: RuntimeMessage) => this.#onMessage(message))
    // The port closes only when the thread on its other end is gone.
    port1.once('close', () => this.#onClose())
    pool.run({ port: port2, config }, { transferList: [port2], signal: this.#abort.signal }).then(
      () => this.#onTaskEnd(undefined),
      (error: unknown) => this.#onTaskEnd(error),
    )
  }

  send(message: InvokeMessage): void {
    this.#port.postMessage(message)
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
    const phase = this.#phase
    if (phase === 'dying' || phase === 'gone') return false
    // Aborting a running task terminates its worker; a queued one is dropped.
    this.#abort.abort()
    if (phase === 'running') {
      this.#phase = 'dying'
      return true
    }
    // No thread will ever close the other end of a task Piscina never handed over.
    if (phase === 'queued') this.#port.close()
    this.#phase = 'gone'
    return false
  }

  #onMessage(message: RuntimeMessage): void {
    if (this.#phase === 'dying' || this.#phase === 'gone') return
    if (message.type !== 'started') {
      this.#events.message(message)
      return
    }
    // Piscina gives no sign that a task reached a thread: the runtime says so.
    if (this.#phase === 'queued') this.#phase = 'running'
    this.#events.started()
  }

  // The port closes a little before Piscina rejects the task of a thread that
  // died by itself, so the cause of death is left to the task's rejection.
  #onClose(): void {
    if (this.#phase === 'dying') {
      this.#phase = 'gone'
      this.#events.exited()
    } else if (this.#phase === 'queued' || this.#phase === 'running') {
      this.#phase = 'exited'
    }
  }

  #onTaskEnd(error: unknown): void {
    if (this.#phase === 'dying' || this.#phase === 'gone') return
    this.#events.ended(exitError(error))
  }
}

function exitError(error: unknown): ErrorShape {
  const code = (error as { code?: unknown } | undefined)?.code
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return {
      errorType: ErrorType.OutOfMemory,
      errorMessage: 'Error: Runtime exited with error: JS heap out of memory',
      trace: [],
    }
  }
  const detail = error instanceof Error ? error.message : 'the runtime loop ended'
  return { errorType: ErrorType.ExitError, errorMessage: `Error: Runtime exited with error: ${detail}`, trace: [] }
}
