import { performance } from 'node:perf_hooks'
import type { ErrorShape, FunctionStats, LogMessage } from '@lambdalet/protocol'
import { Environment } from './environment.js'
import type { Invocation } from './invocation.js'
import type { BudgetClient, ThreadBudget } from './thread-budget.js'
import type { TransportFactory } from './transport.js'

export interface PoolSettings {
  transports: TransportFactory
  /** The host-wide bound on threads and cold starts, shared with every other function. */
  budget: ThreadBudget
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
 * eviction, and the bound on threads (its own, and its share of the host's).
 * It holds environments of whatever kind its transports start, and does not
 * know which.
 */
export class Pool implements BudgetClient {
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
  /**
   * Invocations (and the `minWarm` top-up) that have room under this pool's
   * bound but wait for the host's: the budget starts an environment for the
   * first when a slot frees (`retry`), or wakes them with none to look again.
   */
  #threadWaiters: Array<(environment: Environment | undefined) => void> = []
  /** Idle environments given up for another function's invocation, threads not gone yet. */
  #reclaimed = new Set<Environment>()
  #coldStarts = 0

  constructor(settings: PoolSettings) {
    this.#settings = settings
    settings.budget.register(this)
    void this.#replenish()
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
      const environment = this.#warming() ?? this.#tryStart() ?? (await this.#waitForRoom())
      if (environment === undefined) continue
      this.#coldStarts++
      this.#reserved.add(environment)
      const error = await environment.ready()
      if (error === null) return { kind: 'ready', environment, initDurationMs: environment.initDurationMs }
      if (this.#aborted()) return { kind: 'closed', error }
      return { kind: 'init-failed', error, initDurationMs: environment.initDurationMs }
    }
  }

  /** The budget has a slot: the first invocation waiting for one gets a new environment. */
  retry(): boolean {
    const waiter = this.#threadWaiters.shift()
    if (waiter === undefined) return false
    const environment = this.#aborted() ? undefined : this.#tryStart()
    if (environment === undefined) {
      this.#threadWaiters.unshift(waiter)
      return false
    }
    waiter(environment)
    return this.#threadWaiters.length > 0
  }

  /** Another function waits for a thread: the least recently used idle environment goes. */
  evictIdle(): boolean {
    if (this.#state !== 'open' || this.#environments.size <= this.#settings.minWarm) return false
    const environment = this.#warm.shift()
    if (environment === undefined) return false
    this.#reclaim(environment)
    return true
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
    this.#settings.budget.unregister(this)
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

  /** A new environment, when both this pool's bound and the host's budget have room. */
  #tryStart(): Environment | undefined {
    return this.#roomForThread() && this.#settings.budget.tryStart() ? this.#start() : undefined
  }

  /**
   * Waits for room: under this pool's own bound (a thread exits, an
   * environment frees up), or for a slot of the host's budget, which then
   * starts the environment itself. Resolves with none to look again.
   */
  #waitForRoom(): Promise<Environment | undefined> {
    if (!this.#roomForThread()) {
      return new Promise((resolve) => this.#waiters.push(() => resolve(undefined)))
    }
    return new Promise((resolve) => {
      this.#threadWaiters.push(resolve)
      this.#settings.budget.wait(this)
    })
  }

  /** Only after the budget gave a slot: the thread and the cold start are counted there. */
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
        exited: (environment) => {
          this.#dying--
          this.#threadEnded(environment)
          this.#wake()
        },
      },
    })
    this.#environments.add(environment)
    void environment.ready().then(() => settings.budget.coldStartEnded())
    return environment
  }

  #onIdle(environment: Environment, answered: Invocation | null): void {
    if (answered === null && this.#reserved.delete(environment)) return
    if (this.#retired.has(environment)) environment.destroy()
    else this.#warm.push(environment)
    const waited = this.#waiters.length > 0 || this.#threadWaiters.length > 0
    if (waited) this.#wake()
    if (answered !== null && this.#state !== 'aborted') this.#settings.answered(answered)
    // Nothing of this function took it, and another function's invocation
    // waits for a thread the host has none left of: it goes to that one.
    if (
      !waited &&
      this.#warm.at(-1) === environment &&
      this.#state === 'open' &&
      this.#environments.size > this.#settings.minWarm &&
      this.#settings.budget.wanted()
    ) {
      this.#warm.pop()
      this.#reclaim(environment)
    }
  }

  #reclaim(environment: Environment): void {
    this.#reclaimed.add(environment)
    this.#settings.budget.reclaimed()
    environment.destroy()
  }

  /** Its thread is gone: the host's budget has room for another. */
  #threadEnded(environment: Environment): void {
    this.#settings.budget.threadEnded(this.#reclaimed.delete(environment))
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
    else {
      this.#threadEnded(environment)
      this.#wake()
    }
    // Replace a pre-warmed environment lost in service, but never one that
    // died before it was handed an event (a failed init, a timer that throws
    // at load time): that would start threads in a loop until the code is fixed.
    if (environment.served > 0 || retired) void this.#replenish()
  }

  /** Keeps `minWarm` environments, within the same bound on threads as cold starts. */
  async #replenish(): Promise<void> {
    while (this.#state === 'open' && this.#environments.size < this.#settings.minWarm) {
      if (this.#tryStart() === undefined) await this.#waitForRoom()
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
    const threadWaiters = this.#threadWaiters
    this.#waiters = []
    this.#threadWaiters = []
    for (const wake of waiters) wake()
    for (const wake of threadWaiters) wake(undefined)
  }
}
