import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { performance } from 'node:perf_hooks'
import type { Piscina } from 'piscina'
import {
  ErrorType,
  type ErrorShape,
  type InvokeMessage,
  type LogMessage,
  type RuntimeConfig,
  type RuntimeMessage,
} from '@lambdalet/protocol'
import type { Invocation, Outcome } from './invocation.js'

export type EnvironmentState = 'starting' | 'idle' | 'busy' | 'dead'

/** What an environment tells the function service that owns it. */
export interface EnvironmentEvents {
  /** Ready for an event: after init (`answered` null), and after answering `answered`. */
  idle(environment: Environment, answered: Invocation | null): void
  /** Gone for good (crash, timeout, eviction, init failure), thread maybe still exiting. */
  dead(environment: Environment): void
  /** Idle for the idle timeout: the service decides whether to evict it. */
  idleTimeout(environment: Environment): void
  /** Its thread has exited; a dying environment stops counting. */
  exited(environment: Environment): void
  log(environment: Environment, message: LogMessage): void
}

export interface EnvironmentSettings {
  pool: Piscina
  config: RuntimeConfig
  timeoutMs: number
  initTimeoutMs: number
  idleTimeoutMs: number
  events: EnvironmentEvents
}

interface Running {
  invocation: Invocation
  finish(outcome: Outcome): void
}

let nextId = 0

/**
 * One execution environment: a worker thread running the runtime loop as a
 * long-running Piscina task, talking over its own MessagePort. It holds at
 * most one event at a time and only gets one after asking (`next`).
 */
export class Environment {
  readonly id = ++nextId
  state: EnvironmentState = 'starting'
  /** Set once the thread was asked to stop and has not exited yet. */
  dying = false
  initDurationMs = 0
  maxHeapBytes = 0
  /** It loaded the handler and asked for work at least once. */
  initialized = false
  /** Events handed to it. */
  invocations = 0
  /** Started for a waiting invocation: its first `next` is not for the queue. */
  reserved = false

  #settings: EnvironmentSettings
  #createdAt = performance.now()
  /** The runtime said `started`: a thread exists, and will have to exit. */
  #threadStarted = false
  #threadExited = false
  #port: MessagePort
  #abort = new AbortController()
  #running: Running | null = null
  #started: { resolve(): void; reject(error: ErrorShape): void } | null = null
  #ready: Promise<void>
  #deadlineTimer: NodeJS.Timeout | null = null
  #idleTimer: NodeJS.Timeout | null = null
  #initTimer: NodeJS.Timeout | null = null

  constructor(settings: EnvironmentSettings) {
    this.#settings = settings
    this.#ready = new Promise<void>((resolve, reject) => {
      this.#started = { resolve, reject }
    })
    // Whoever waits for this environment hears of a failed init; a pre-warmed
    // one nobody waits for must not become an unhandled rejection.
    this.#ready.catch(() => {})
    this.#initTimer = setTimeout(() => {
      const seconds = (settings.initTimeoutMs / 1000).toFixed(2)
      this.#failStart({ errorType: ErrorType.Timeout, errorMessage: `Init timed out after ${seconds} seconds`, trace: [] })
    }, settings.initTimeoutMs)
    this.#initTimer.unref()
    const { port1, port2 } = new MessageChannel()
    this.#port = port1
    port1.on('message', (message: RuntimeMessage) => this.#onMessage(message))
    // The port closes only when the thread on its other end is gone.
    port1.once('close', () => this.#onThreadExit())
    settings.pool
      .run({ port: port2, config: settings.config }, { transferList: [port2], signal: this.#abort.signal })
      .then(
        () => this.#onTaskEnd(undefined),
        (error: unknown) => this.#onTaskEnd(error),
      )
  }

  /** Resolves when the runtime has loaded the handler; rejects with the init error. */
  ready(): Promise<void> {
    return this.#ready
  }

  /** Hands the event to the runtime; resolves with its outcome, exactly once. */
  invoke(invocation: Invocation): Promise<Outcome> {
    return new Promise((finish) => {
      this.state = 'busy'
      this.invocations++
      this.#running = { invocation, finish }
      const options = invocation.options
      const message: InvokeMessage = {
        type: 'invoke',
        requestId: invocation.requestId,
        deadlineMs: Date.now() + this.#settings.timeoutMs,
        event: invocation.payload,
      }
      if (options.traceId !== undefined) message.traceId = options.traceId
      if (options.clientContext !== undefined) message.clientContext = options.clientContext
      if (options.identity !== undefined) message.identity = options.identity
      this.#port.postMessage(message)
      if (this.#deadlineTimer === null) {
        this.#deadlineTimer = setTimeout(() => this.#onDeadline(), this.#settings.timeoutMs)
        this.#deadlineTimer.unref()
      } else {
        this.#deadlineTimer.refresh()
      }
    })
  }

  get currentInvocation(): Invocation | null {
    return this.#running?.invocation ?? null
  }

  /**
   * Ends the environment now: the thread is terminated through Piscina (abort
   * terminates the worker). Nobody waits for the thread to exit: a blocking
   * native call can delay that by seconds. It counts as dying until it has.
   * An invocation still running gets `outcome`.
   */
  destroy(outcome: Extract<Outcome, { error: unknown }> = abandoned): void {
    if (this.state === 'dead') return
    const running = this.#running
    this.#running = null
    running?.finish(outcome)
    const started = this.#started
    this.#started = null
    started?.reject(outcome.error)
    this.state = 'dead'
    this.dying = this.#threadStarted && !this.#threadExited
    this.#clearTimers()
    this.#abort.abort()
    // A task Piscina had not handed to a thread yet is simply dropped: no
    // thread will ever close the port's other end.
    if (!this.#threadStarted) this.#port.close()
    this.#settings.events.dead(this)
  }

  #onMessage(message: RuntimeMessage): void {
    if (this.state === 'dead') return
    switch (message.type) {
      case 'started':
        this.#threadStarted = true
        return
      case 'response':
        this.#observeHeap(message.heapUsedBytes)
        this.#finish({ kind: 'response', body: message.body })
        return
      case 'error':
        this.#observeHeap(message.heapUsedBytes)
        this.#finish({ kind: 'error', error: message.error, invalidEvent: message.invalidEvent === true })
        return
      case 'log':
        this.#settings.events.log(this, message)
        return
      case 'next':
        // Init as a caller feels it: thread start, runtime start and module load.
        this.initDurationMs = performance.now() - this.#createdAt
        this.initialized = true
        this.#observeHeap(message.heapUsedBytes)
        if (this.#initTimer !== null) clearTimeout(this.#initTimer)
        this.#becomeIdle(null)
        this.#started?.resolve()
        this.#started = null
        return
      case 'init-error':
        this.initDurationMs = performance.now() - this.#createdAt
        this.#failStart(message.error)
        return
      case 'crash':
        this.#crash(message.error, message.requestId)
        return
    }
  }

  #finish(outcome: Outcome): void {
    const running = this.#running
    if (running === null) return
    this.#running = null
    // Idle before the caller hears back, so the next queued invocation finds
    // this environment warm instead of starting another.
    this.#becomeIdle(running.invocation)
    running.finish(outcome)
  }

  #becomeIdle(answered: Invocation | null): void {
    this.state = 'idle'
    // Restarted at each idle period: it fires only after idleTimeoutMs of idleness.
    if (this.#idleTimer === null) {
      this.#idleTimer = setTimeout(() => this.#onIdleTimeout(), this.#settings.idleTimeoutMs)
      this.#idleTimer.unref()
    } else {
      this.#idleTimer.refresh()
    }
    this.#settings.events.idle(this, answered)
  }

  // Left armed after a response (refresh() rearms it per invocation, cheaper
  // than clearing it each time): firing with no invocation running is a no-op.
  #onDeadline(): void {
    const running = this.#running
    if (this.state !== 'busy' || running === null) return
    this.#running = null
    const seconds = (this.#settings.timeoutMs / 1000).toFixed(2)
    // The caller hears at the deadline; the thread is terminated after.
    running.finish({
      kind: 'timeout',
      error: { errorType: ErrorType.Timeout, errorMessage: `Task timed out after ${seconds} seconds`, trace: [] },
    })
    this.destroy()
  }

  #onIdleTimeout(): void {
    if (this.state === 'idle') this.#settings.events.idleTimeout(this)
  }

  /**
   * `requestId` is the invocation the runtime was running when it crashed:
   * if that is not the one the host last handed it, the crash belongs to the
   * previous one (a rejection that surfaced after its answer) and the runtime
   * never took the new event.
   */
  #crash(error: ErrorShape, requestId: string | null | undefined): void {
    const running = this.#running
    this.#running = null
    if (this.state === 'starting') {
      this.#failStart(error)
      return
    }
    if (running !== null) {
      const delivered = requestId === undefined || requestId === running.invocation.requestId
      running.finish(delivered ? { kind: 'crash', error } : { kind: 'undelivered', error })
    }
    this.destroy()
  }

  #failStart(error: ErrorShape): void {
    // destroy() rejects the pending start with the outcome's error.
    this.destroy({ kind: 'crash', error })
  }

  #onTaskEnd(error: unknown): void {
    if (this.state === 'dead') return
    // The thread ended on its own: process.exit(), an error the runtime could
    // not catch, or the heap limit.
    this.#crash(exitError(error, this.#running?.invocation.requestId), undefined)
  }

  // The port closes a little before Piscina rejects the task of a thread that
  // died by itself, so the cause of death is left to the task's rejection.
  #onThreadExit(): void {
    this.#threadExited = true
    if (!this.dying) return
    this.dying = false
    this.#settings.events.exited(this)
  }

  #observeHeap(bytes: number): void {
    if (bytes > this.maxHeapBytes) this.maxHeapBytes = bytes
  }

  #clearTimers(): void {
    if (this.#deadlineTimer !== null) clearTimeout(this.#deadlineTimer)
    if (this.#idleTimer !== null) clearTimeout(this.#idleTimer)
    if (this.#initTimer !== null) clearTimeout(this.#initTimer)
  }
}

const abandoned: Extract<Outcome, { kind: 'aborted' }> = {
  kind: 'aborted',
  error: { errorType: ErrorType.ServiceUnavailable, errorMessage: 'The host shut down before the invocation finished', trace: [] },
}

function exitError(error: unknown, requestId: string | undefined): ErrorShape {
  const prefix = requestId === undefined ? '' : `RequestId: ${requestId} `
  const code = (error as { code?: unknown } | undefined)?.code
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return {
      errorType: ErrorType.OutOfMemory,
      errorMessage: `${prefix}Error: Runtime exited with error: JS heap out of memory`,
      trace: [],
    }
  }
  const detail = error instanceof Error ? error.message : 'the runtime loop ended'
  return { errorType: ErrorType.ExitError, errorMessage: `${prefix}Error: Runtime exited with error: ${detail}`, trace: [] }
}
