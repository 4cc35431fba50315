/** What the budget asks of a pool that waits for a thread. */
export interface BudgetClient {
  /**
   * A slot may be free: start an environment for a waiting invocation
   * (through `tryStart()`). Returns true when more of its invocations wait.
   */
  retry(): boolean
  /** Gives up one idle environment for another function's waiting one; false when it has none to spare. */
  evictIdle(): boolean
}

export interface ThreadBudgetSettings {
  /** Threads, live and still exiting, of every function together. */
  maxThreads: number
  /** Environments starting (thread boot and module load) at once, every function together. */
  maxColdStarts: number
}

/**
 * The host-wide bound on threads and on cold starts in progress, shared by
 * every function's pool. A thread boot and a module load are CPU work: 500
 * of them at once on 2 cores starve the main thread, and with it the
 * gateway's event loop. So a pool takes a slot before it starts an
 * environment; without one its invocation waits, in its function's queue,
 * for a cold start to finish or a thread to go. When the bound on threads is
 * what stops it, an idle environment of another function is reclaimed.
 */
export class ThreadBudget {
  readonly maxThreads: number
  readonly maxColdStarts: number
  #threads = 0
  #coldStarts = 0
  /** Evicted for a waiting pool, thread not gone yet: demand already being met. */
  #reclaiming = 0
  /** Pools waiting for a slot, first come first served. */
  #waiting = new Set<BudgetClient>()
  #clients = new Set<BudgetClient>()

  constructor(settings: ThreadBudgetSettings) {
    this.maxThreads = settings.maxThreads
    this.maxColdStarts = settings.maxColdStarts
  }

  register(client: BudgetClient): void {
    this.#clients.add(client)
  }

  unregister(client: BudgetClient): void {
    this.#clients.delete(client)
    this.#waiting.delete(client)
  }

  /** Takes a thread and a cold-start slot when both are free. */
  tryStart(): boolean {
    if (this.#threads >= this.maxThreads || this.#coldStarts >= this.maxColdStarts) return false
    this.#threads++
    this.#coldStarts++
    return true
  }

  /**
   * `client` has an invocation that found no slot: it is retried when one
   * frees up, and if threads are what is short, an idle environment of
   * another function is reclaimed for it.
   */
  wait(client: BudgetClient): void {
    this.#waiting.add(client)
    if (this.#threads >= this.maxThreads && this.#reclaiming < this.#waiting.size) this.#reclaim(client)
  }

  /**
   * Whether an environment that just became idle, with nothing of its own
   * function waiting, should go so that another function's invocation gets
   * a thread.
   */
  wanted(): boolean {
    return this.#waiting.size > this.#reclaiming && this.#threads >= this.maxThreads
  }

  /** Called for an environment given up through `wanted()` or `evictIdle()`; its thread's end follows. */
  reclaimed(): void {
    this.#reclaiming++
  }

  /** An environment finished starting (ready or failed): its cold-start slot is free. */
  coldStartEnded(): void {
    this.#coldStarts--
    this.#grant()
  }

  /** A thread is gone (`reclaimed`: it was given up for a waiting pool). */
  threadEnded(reclaimed: boolean): void {
    this.#threads--
    if (reclaimed) this.#reclaiming--
    this.#grant()
  }

  #reclaim(waiting: BudgetClient): void {
    for (const client of this.#clients) {
      if (client !== waiting && client.evictIdle()) return
    }
  }

  /** Hands free slots to waiting pools in turn; one with more waiting goes to the back. */
  #grant(): void {
    while (this.#waiting.size > 0 && this.#threads < this.maxThreads && this.#coldStarts < this.maxColdStarts) {
      const client = this.#waiting.values().next().value as BudgetClient
      this.#waiting.delete(client)
      const before = this.#coldStarts
      // Back in line only if it took the slot: one that could not (its own
      // bound) waits again when its own pool wakes it.
      if (client.retry() && this.#coldStarts > before) this.#waiting.add(client)
    }
  }
}
