import { performance } from 'node:perf_hooks'
import type { ErrorShape, FunctionStats, LogMessage } from '@lambdalet/protocol'
import { Environment } from './environment.js'
import type { Invocation } from './invocation.js'
import type { TransportFactory } from './transport.js'

export interface PoolSettings {
  transports: TransportFactory
  maxConcurrency: number
  minWarm: number
  timeoutMs: number
  initTimeoutMs: number
  idleTimeoutMs: number
  /** An environment answered `invocation` and is idle again (see the dispatcher's slot hand-over). */
  answered(invocation: Invocation): void
  log(message: LogMessage, current: Invocation | null): void
  /** A pre-warmed environment no invocation waited for failed to initialise. */
  prewarmFailed(error: ErrorShape): void
}

/** What waiting for an environment came to. */
export type Acquired =
  | { kind: 'ready'; environment: Environment; initDurationMs?: number }
  | { kind: 'init-failed'; error: ErrorShape; initDurationMs: number }
  /** The pool was shut down first; `error` says why, when an environment was lost to it. */
  | { kind: 'closed'; error?: ErrorShape }

/**
 * `open`: serving. `closing`: draining, so nothing is replaced or reported.
 * `aborted`: the drain timed out, so nothing more is handed out.
 */
type PoolState = 'open' | 'closing' | 'aborted'

/**
 * A function's environments: a stack of warm ones (the warmest reused
 * first), cold starts when none is idle, `minWarm` pre-warmed ones, idle
 * eviction, and the bound on threads. It holds environments of whatever
 * kind its transports start, and does not know which.
 */
export class Pool {
  #settings: PoolSettings
  #state: PoolState = 'open'
  #environments = new Set<Environment>()
  /** Idle environments, most recently used last. */
  #warm: Environment[] = []
  /** Started for a waiting invocation: their first `next` is that invocation's. */
  #reserved = new Set<Environment>()
  /** Running old code (see `retire`): destroyed as soon as they are idle. */
  #retired = new Set<Environment>()
  /** Destroyed environments whose threads have not exited yet. */
  #dying = 0
  /** Invocations waiting for a thread to exit or an environment to free up. */
  #waiters: Array<() => void> = []
  #coldStarts = 0

  constructor(settings: PoolSettings) {
    this.#settings = settings
    for (let i = 0; i < settings.minWarm; i++) this.#start()
  }

  /** The bound on threads, live and still exiting, that the pool keeps. */
  static threadBound(maxConcurrency: number): number {
    // Twice the concurrency, so a thread stuck in a native call after a
    // timeout can be replaced at once, yet stuck ones cannot pile up.
    return maxConcurrency * 2
  }

  /**
   * A warm environment, taken synchronously: an await on the invocation path
   * would delay posting the event by a few microtask turns every time.
   */
  takeWarm(): Environment | undefined {
    return this.#state === 'aborted' ? undefined : this.#warm.pop()
  }

  /**
   * An environment for an invocation that found none warm: one that became
   * idle meanwhile, else a pre-warmed one still initialising, else a new one
   * (a cold start), within the bound on threads; else it waits for a thread
   * to exit or an environment to free up.
   */
  async acquire(): Promise<Acquired> {
    for (;;) {
      if (this.#aborted()) return { kind: 'closed' }
      const warm = this.#warm.pop()
      if (warm !== undefined) return { kind: 'ready', environment: warm }
      const environment = this.#warming() ?? (this.#roomForThread() ? this.#start() : undefined)
      if (environment !== undefined) {
        this.#coldStarts++
        this.#reserved.add(environment)
        const error = await environment.ready()
        if (error === null) return { kind: 'ready', environment, initDurationMs: environment.initDurationMs }
        if (this.#aborted()) return { kind: 'closed', error }
        return { kind: 'init-failed', error, initDurationMs: environment.initDurationMs }
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve))
    }
  }

  get coldStarts(): number {
    return this.#coldStarts
  }

  get threads(): number {
    return this.#environments.size + this.#dying
  }

  /** Environments running an invocation now. */
  get busy(): number {
    let busy = 0
    for (const environment of this.#environments) if (environment.state === 'busy') busy++
    return busy
  }

  counts(): FunctionStats['environments'] {
    const counts = { starting: 0, idle: 0, busy: 0, dying: this.#dying }
    for (const environment of this.#environments) {
      const state = environment.state
      if (state === 'starting' || state === 'initializing') counts.starting++
      else if (state !== 'dead') counts[state]++
    }
    return counts
  }

  /**
   * The function's code changed: every environment is retired, the idle
   * ones at once, a busy one when its invocation ends (never mid-request),
   * one starting for a waiting invocation after serving it. The next
   * invocation is a cold start on the new code; `minWarm` is refilled.
   */
  retire(): void {
    if (this.#state !== 'open') return
    for (const environment of [...this.#environments]) {
      if (environment.state === 'idle' && !this.#reserved.has(environment)) environment.destroy()
      else this.#retired.add(environment)
    }
    void this.#replenish()
  }

  /** Draining: environments keep serving, but none is replaced. */
  close(): void {
    if (this.#state === 'open') this.#state = 'closing'
  }

  /** The drain timed out: every environment is destroyed, waiting invocations give up. */
  abort(): void {
    this.#state = 'aborted'
    this.#destroyAll()
    this.#wake()
  }

  /**
   * Destroys what is left and waits for the threads to exit, but not for
   * longer than `timeoutMs`: threads blocked in a native call exit only when
   * it returns, and `close()` must end.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    this.close()
    // Destroyed first, so the threads' ends read as intended, not as crashes.
    this.#destroyAll()
    await this.#settings.transports.close()
    const deadline = performance.now() + timeoutMs
    while (this.#dying > 0 && performance.now() < deadline) {
      let timer: NodeJS.Timeout | undefined
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve)
        timer = setTimeout(resolve, deadline - performance.now())
      })
      clearTimeout(timer)
    }
  }

  #start(): Environment {
    const settings = this.#settings
    const environment = new Environment({
      transports: settings.transports,
      timeoutMs: settings.timeoutMs,
      initTimeoutMs: settings.initTimeoutMs,
      idleTimeoutMs: settings.idleTimeoutMs,
      events: {
        idle: (environment, answered) => this.#onIdle(environment, answered),
        log: settings.log,
        idleTimeout: (environment) => {
          if (this.#environments.size > settings.minWarm) environment.destroy()
        },
        dead: (environment, exiting) => this.#onDead(environment, exiting),
        exited: () => {
          this.#dying--
          this.#wake()
        },
      },
    })
    this.#environments.add(environment)
    return environment
  }

  #onIdle(environment: Environment, answered: Invocation | null): void {
    if (answered === null && this.#reserved.delete(environment)) return
    if (this.#retired.has(environment)) environment.destroy()
    else this.#warm.push(environment)
    if (this.#waiters.length > 0) this.#wake()
    if (answered !== null && this.#state !== 'aborted') this.#settings.answered(answered)
  }

  #onDead(environment: Environment, exiting: boolean): void {
    this.#environments.delete(environment)
    const at = this.#warm.lastIndexOf(environment)
    if (at !== -1) this.#warm.splice(at, 1)
    const reserved = this.#reserved.delete(environment)
    const retired = this.#retired.delete(environment)
    // An invocation that took over a pre-warmed environment reports its failure itself.
    const startError = environment.startError
    if (startError !== null && !reserved && this.#state === 'open') this.#settings.prewarmFailed(startError)
    if (exiting) this.#dying++
    // Room for another thread now, unless this one is still exiting.
    else this.#wake()
    // Replace a pre-warmed environment lost in service, but never one that
    // died before it was handed an event (a failed init, a timer that throws
    // at load time): that would start threads in a loop until the code is fixed.
    if (environment.served > 0 || retired) void this.#replenish()
  }

  /** Keeps `minWarm` environments, within the same bound on threads as cold starts. */
  async #replenish(): Promise<void> {
    while (this.#state === 'open' && this.#environments.size < this.#settings.minWarm) {
      if (this.#roomForThread()) this.#start()
      else await new Promise<void>((resolve) => this.#waiters.push(resolve))
    }
  }

  /** A pre-warmed environment still initialising that no invocation waits for yet. */
  #warming(): Environment | undefined {
    for (const environment of this.#environments) {
      const state = environment.state
      if (state !== 'starting' && state !== 'initializing') continue
      if (!this.#reserved.has(environment) && !this.#retired.has(environment)) return environment
    }
    return undefined
  }

  // A method, not a field read: TypeScript would keep a narrowing across an await.
  #aborted(): boolean {
    return this.#state === 'aborted'
  }

  #roomForThread(): boolean {
    return this.#environments.size + this.#dying < Pool.threadBound(this.#settings.maxConcurrency)
  }

  #destroyAll(): void {
    for (const environment of [...this.#environments]) environment.destroy()
  }

  #wake(): void {
    const waiters = this.#waiters
    this.#waiters = []
    for (const wake of waiters) wake()
  }
}
