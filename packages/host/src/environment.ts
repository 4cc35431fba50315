import { performance } from 'node:perf_hooks'
import {
  type ErrorShape,
  ErrorType,
  type InvokeMessage,
  type LogMessage,
  type RuntimeMessage,
  type StreamRuntimeMessage,
} from '@lambdalet/protocol'
import type { Invocation } from './invocation.js'
import type { EnvironmentOutcome } from './outcome.js'
import { BufferedResponse, type StreamControl } from './response-sink.js'
import type { Transport, TransportFactory } from './transport.js'

/**
 * `starting`: its transport is starting (no thread or process yet).
 * `initializing`: the runtime runs and loads the function's code.
 * `idle`: it asked for an event. `busy`: it holds one. `dead`: for good.
 */
export type EnvironmentState = 'starting' | 'initializing' | 'idle' | 'busy' | 'dead'

const transitions: Record<EnvironmentState, readonly EnvironmentState[]> = {
  starting: ['initializing', 'dead'],
  initializing: ['idle', 'dead'],
  idle: ['busy', 'dead'],
  busy: ['idle', 'dead'],
  dead: [],
}

/** What an environment tells the pool that owns it. */
export interface EnvironmentEvents {
  /** Ready for an event: after init (`answered` null), and after answering `answered`. */
  idle(environment: Environment, answered: Invocation | null): void
  /** A line the function logged; `current` is the invocation it is running, if any. */
  log(message: LogMessage, current: Invocation | null): void
  /** Idle for the idle timeout: the pool decides whether to evict it. */
  idleTimeout(environment: Environment): void
  /** Gone for good (crash, timeout, eviction, init failure); `exiting`: its thread is still going. */
  dead(environment: Environment, exiting: boolean): void
  /** After `dead` with `exiting`: the thread is gone. */
  exited(environment: Environment): void
}

export interface EnvironmentSettings {
  transports: TransportFactory
  timeoutMs: number
  initTimeoutMs: number
  idleTimeoutMs: number
  events: EnvironmentEvents
}

interface Running {
  invocation: Invocation
  finish(outcome: EnvironmentOutcome): void
}

/**
 * One execution environment: a runtime behind a transport that holds at most
 * one event at a time and only gets one after asking (`next`). It owns its
 * state; `#to` is the one place the state changes.
 */
export class Environment {
  #state: EnvironmentState = 'starting'
  #settings: EnvironmentSettings
  #transport: Transport
  #createdAt = performance.now()
  #initDurationMs = 0
  #maxHeapBytes = 0
  #served = 0
  #startError: ErrorShape | null = null
  #running: Running | null = null
  #ready: Promise<ErrorShape | null>
  #settleReady: ((error: ErrorShape | null) => void) | null = null
  #deadlineTimer: NodeJS.Timeout | null = null
  #idleTimer: NodeJS.Timeout | null = null
  #initTimer: NodeJS.Timeout

  constructor(settings: EnvironmentSettings) {
    this.#settings = settings
    this.#ready = new Promise((resolve) => {
      this.#settleReady = resolve
    })
    this.#initTimer = setTimeout(() => {
      const seconds = (settings.initTimeoutMs / 1000).toFixed(2)
      this.destroy({
        kind: 'crash',
        error: { errorType: ErrorType.Timeout, errorMessage: `Init timed out after ${seconds} seconds`, trace: [] },
      })
    }, settings.initTimeoutMs)
    // Kept ref'd: while it starts, an environment keeps the process alive
    // (its port and thread do not; see worker-transport.ts).
    this.#transport = settings.transports.start({
      started: () => this.#to('initializing'),
      message: (message) => this.#onMessage(message),
      ended: (error) => this.#onEnded(error),
      exited: () => settings.events.exited(this),
    })
  }

  get state(): EnvironmentState {
    return this.#state
  }

  /** Init as a caller feels it: transport start, runtime start and module load. */
  get initDurationMs(): number {
    return this.#initDurationMs
  }

  get maxHeapBytes(): number {
    return this.#maxHeapBytes
  }

  /** Events handed to it. */
  get served(): number {
    return this.#served
  }

  /** Why it died before it was ready, if it did. */
  get startError(): ErrorShape | null {
    return this.#startError
  }

  /** Resolves once, when it is ready (null) or has died before that (the reason). */
  ready(): Promise<ErrorShape | null> {
    return this.#ready
  }

  /** Hands it one event, when idle; resolves with the outcome, exactly once. */
  invoke(invocation: Invocation): Promise<EnvironmentOutcome> {
    return new Promise((finish) => {
      this.#to('busy')
      this.#served++
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
      this.#transport.send(message)
      // Left armed after an answer, and refreshed per invocation: cheaper
      // than clearing it each time; firing while idle is a no-op. Ref'd only
      // while busy: a running invocation keeps the process alive, an idle
      // environment does not.
      if (this.#deadlineTimer === null) {
        this.#deadlineTimer = setTimeout(() => this.#onDeadline(), this.#settings.timeoutMs)
      } else {
        this.#deadlineTimer.refresh().ref()
      }
    })
  }

  /**
   * Ends it now. Nobody waits for its thread to exit: a blocking native call
   * can delay that by seconds. An invocation still running gets `outcome`.
   */
  destroy(outcome: Extract<EnvironmentOutcome, { error: unknown }> = abandoned): void {
    if (this.#state === 'dead') return
    const running = this.#running
    this.#running = null
    this.#to('dead')
    running?.finish(outcome)
    if (this.#settleReady !== null) {
      this.#startError = outcome.error
      this.#settleReady(outcome.error)
      this.#settleReady = null
    }
    const exiting = this.#transport.destroy()
    this.#settings.events.dead(this, exiting)
  }

  /** The one place the state changes, with what entering each state starts or stops. */
  #to(state: EnvironmentState): void {
    if (!transitions[this.#state].includes(state)) {
      throw new Error(`An environment cannot go from ${this.#state} to ${state}`)
    }
    this.#state = state
    if (state === 'idle') {
      clearTimeout(this.#initTimer)
      this.#deadlineTimer?.unref()
      // Restarted at each idle period: it fires only after idleTimeoutMs of idleness.
      if (this.#idleTimer === null) {
        this.#idleTimer = setTimeout(() => this.#onIdleTimeout(), this.#settings.idleTimeoutMs)
        this.#idleTimer.unref()
      } else {
        this.#idleTimer.refresh()
      }
    } else if (state === 'dead') {
      clearTimeout(this.#initTimer)
      if (this.#deadlineTimer !== null) clearTimeout(this.#deadlineTimer)
      if (this.#idleTimer !== null) clearTimeout(this.#idleTimer)
    }
  }

  #onMessage(message: Exclude<RuntimeMessage, { type: 'started' }>): void {
    const state = this.#state
    switch (message.type) {
      case 'response':
        if (state !== 'busy') return
        this.#observeHeap(message.heapUsedBytes)
        this.#answer({ kind: 'response', body: message.body, durationMs: message.durationMs })
        return
      case 'error':
        if (state !== 'busy') return
        this.#observeHeap(message.heapUsedBytes)
        this.#answer({
          kind: 'error',
          error: message.error,
          invalidEvent: message.invalidEvent === true,
          durationMs: message.durationMs,
        })
        return
      case 'log':
        if (state !== 'dead') this.#settings.events.log(message, this.#running?.invocation ?? null)
        return
      case 'next':
        if (state !== 'initializing') return
        this.#initDurationMs = performance.now() - this.#createdAt
        this.#observeHeap(message.heapUsedBytes)
        this.#to('idle')
        this.#settings.events.idle(this, null)
        this.#settleReady?.(null)
        this.#settleReady = null
        return
      case 'init-error':
        if (state !== 'starting' && state !== 'initializing') return
        this.#initDurationMs = performance.now() - this.#createdAt
        this.destroy({ kind: 'crash', error: message.error })
        return
      case 'crash':
        this.#crash(message.error, message.requestId)
        return
      default:
        this.#onStream(message)
    }
  }

  /** A streaming handler's bytes go to its invocation's sink; its end is its answer. */
  #onStream(message: StreamRuntimeMessage): void {
    const running = this.#running
    if (this.#state !== 'busy' || running === null || running.invocation.requestId !== message.requestId) return
    const invocation = running.invocation
    switch (message.type) {
      case 'stream-start':
        // Called through the buffered API, a streaming handler's bytes make one result.
        invocation.sink ??= new BufferedResponse()
        invocation.sink.start(message.contentType, this.#streamControl(message.requestId))
        return
      case 'stream-chunk': {
        const refusal = invocation.sink?.chunk(message.chunk) ?? null
        // Over the cap: the handler is still writing, so its environment goes.
        if (refusal !== null) this.destroy({ kind: 'crash', error: refusal })
        return
      }
      case 'stream-end':
        this.#observeHeap(message.heapUsedBytes)
        this.#answer({ kind: 'response', body: invocation.sink?.finish() ?? '', durationMs: message.durationMs })
        return
    }
  }

  #streamControl(requestId: string): StreamControl {
    // Only while this environment still runs that invocation: a reader may
    // take the last bytes after the answer, or after the environment died.
    const current = () => this.#state === 'busy' && this.#running?.invocation.requestId === requestId
    return {
      credit: (bytes, buffers) => {
        if (!current()) return
        this.#transport.send(
          buffers === undefined || buffers.length === 0
            ? { type: 'stream-credit', requestId, bytes }
            : { type: 'stream-credit', requestId, bytes, buffers },
        )
      },
      cancel: () => {
        if (current()) this.#transport.send({ type: 'stream-cancel', requestId })
      },
    }
  }

  #answer(outcome: EnvironmentOutcome): void {
    const running = this.#running!
    this.#running = null
    // Idle before the caller hears back, so the next queued invocation finds
    // this environment warm instead of starting another.
    this.#to('idle')
    this.#settings.events.idle(this, running.invocation)
    running.finish(outcome)
  }

  #onDeadline(): void {
    const running = this.#running
    if (this.#state !== 'busy' || running === null) return
    // The host's thread may be behind its messages (another function's
    // lines, a long task): an answer the runtime sent within the deadline
    // may be waiting unread. It wins, after the lines before it; otherwise
    // the invocation timed out, and what is waiting is dropped with the
    // environment.
    const waiting = this.#transport.drain?.() ?? []
    const answered = waiting.some(
      (message) =>
        (message.type === 'response' || message.type === 'error' || message.type === 'stream-end') &&
        message.requestId === running.invocation.requestId &&
        message.durationMs < this.#settings.timeoutMs,
    )
    if (answered) {
      for (const message of waiting) this.#onMessage(message)
      return
    }
    const seconds = (this.#settings.timeoutMs / 1000).toFixed(2)
    // The caller hears at the deadline; the thread is terminated after.
    this.destroy({
      kind: 'timeout',
      error: { errorType: ErrorType.Timeout, errorMessage: `Task timed out after ${seconds} seconds`, trace: [] },
    })
  }

  #onIdleTimeout(): void {
    if (this.#state === 'idle') this.#settings.events.idleTimeout(this)
  }

  /**
   * `requestId` is the invocation the runtime was running when it crashed:
   * if that is not the one the host last handed it, the crash belongs to the
   * previous one (a rejection that surfaced after its answer) and the runtime
   * never took the new event. `undefined`: the runtime could not say.
   */
  #crash(error: ErrorShape, requestId: string | null | undefined): void {
    const state = this.#state
    if (state === 'dead') return
    const running = this.#running
    if (state === 'busy' && running !== null) {
      const delivered = requestId === undefined || requestId === running.invocation.requestId
      this.destroy(delivered ? { kind: 'crash', error } : { kind: 'undelivered', error })
      return
    }
    // Before it was ready, the crash is its init failure; while idle, nobody is concerned.
    this.destroy({ kind: 'crash', error })
  }

  #onEnded(error: ErrorShape): void {
    const requestId = this.#running?.invocation.requestId
    const prefixed =
      requestId === undefined ? error : { ...error, errorMessage: `RequestId: ${requestId} ${error.errorMessage}` }
    this.#crash(prefixed, undefined)
  }

  #observeHeap(bytes: number): void {
    if (bytes > this.#maxHeapBytes) this.#maxHeapBytes = bytes
  }
}

const abandoned: Extract<EnvironmentOutcome, { kind: 'aborted' }> = {
  kind: 'aborted',
  error: {
    errorType: ErrorType.ServiceUnavailable,
    errorMessage: 'The host shut down before the invocation finished',
    trace: [],
  },
}
