/**
 * Shutdown bookkeeping shared by the gateway and whoever owns the server:
 * the CLI calls `beginShutdown()` on a signal, stops accepting connections,
 * then awaits `drain()` before closing the host.
 */
export class Lifecycle {
  #closing = false
  #inFlight = 0
  readonly #events = new Set<Promise<void>>()
  #idleWaiters: Array<() => void> = []

  get closing(): boolean {
    return this.#closing
  }

  /** Requests being handled now plus accepted `Event` invocations still running. */
  get pending(): number {
    return this.#inFlight + this.#events.size
  }

  /**
   * From now on /healthz reports `closing` and new requests (except /healthz
   * and /metrics) get a 503; requests already in flight carry on.
   */
  beginShutdown(): void {
    this.#closing = true
  }

  /**
   * Resolves `true` once no request is in flight and every accepted `Event`
   * invocation has settled, or `false` when `timeoutMs` passes first.
   */
  drain(timeoutMs: number): Promise<boolean> {
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
      throw new TypeError(`Expected \`timeoutMs\` to be a non-negative number, got \`${timeoutMs}\``)
    }
    if (this.pending === 0) return Promise.resolve(true)
    return new Promise((resolve) => {
      const onIdle = (): void => {
        clearTimeout(timer)
        resolve(true)
      }
      const timer = setTimeout(() => {
        this.#idleWaiters = this.#idleWaiters.filter((waiter) => waiter !== onIdle)
        resolve(false)
      }, timeoutMs)
      // A drain must not be what keeps a process alive that has nothing left to do.
      timer.unref()
      this.#idleWaiters.push(onIdle)
    })
  }

  /** @internal The gateway counts each request from arrival to response. */
  requestStarted(): void {
    this.#inFlight++
  }

  /** @internal */
  requestFinished(): void {
    this.#inFlight--
    this.#notifyIfIdle()
  }

  /**
   * @internal Tracks an invocation that outlives its HTTP response. The
   * gateway reports its errors before handing it over; a rejection here is
   * only counted as settled.
   */
  trackEvent(invocation: Promise<void>): void {
    this.#events.add(invocation)
    const settled = (): void => {
      this.#events.delete(invocation)
      this.#notifyIfIdle()
    }
    invocation.then(settled, settled)
  }

  #notifyIfIdle(): void {
    if (this.pending !== 0 || this.#idleWaiters.length === 0) return
    const waiters = this.#idleWaiters
    this.#idleWaiters = []
    for (const waiter of waiters) waiter()
  }
}

export function createLifecycle(): Lifecycle {
  return new Lifecycle()
}
