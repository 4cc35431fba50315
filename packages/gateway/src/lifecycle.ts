/**
 * Shutdown bookkeeping shared by the gateway and whoever owns the server:
 * the CLI calls `beginShutdown()` on a signal, stops accepting connections,
 * then awaits `drain()` before closing the host.
 */
export class Lifecycle {
  #closing = false
  #inFlight = 0
  #idleWaiters: Array<() => void> = []

  get closing(): boolean {
    return this.#closing
  }

  /** Requests being handled now. (Accepted `Event` invocations are the event queue's to drain.) */
  get pending(): number {
    return this.#inFlight
  }

  /**
   * From now on /healthz reports `closing` and new requests (except /healthz
   * and /metrics) get a 503; requests already in flight carry on.
   */
  beginShutdown(): void {
    this.#closing = true
  }

  /**
   * Resolves `true` once no request is in flight, or `false` when
   * `timeoutMs` passes first.
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
   * @internal A streamed response outlives its request's handler: it counts
   * as in flight until `done` settles, so a drain lets it finish.
   */
  holdUntil(done: Promise<unknown>): void {
    this.requestStarted()
    void done.finally(() => this.requestFinished())
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
