import type { EventInvokeConfigEntry } from '@lambdalet/protocol'
import {
  type ClaimOptions,
  type EventStore,
  type Lease,
  LeaseLostError,
  type NewEvent,
  type QueuedEvent,
  type StoredSchedule,
  type StoreUsage,
  type Tick,
} from './event-store.js'
import { LocalScheduler } from './local-scheduler.js'
import { MinHeap } from './min-heap.js'

/** What a local store remembers of an event; the payload stays with the persistence. */
export interface EventMeta {
  id: string
  functionName: string
  runAt: number
  acceptedAt: number
  invokeCount: number
  throttles: number
  bytes: number
  /** In memory on every claim; persisted with the next write of the event (older stores lack them). */
  receiveCount?: number
  firstReceivedAt?: number
}

export type WriteOp =
  | { type: 'put'; meta: EventMeta; payload?: string }
  | { type: 'remove'; id: string }
  | { type: 'config'; functionName: string; entry: EventInvokeConfigEntry | null }

/**
 * Where a local store keeps events: in memory, or in an embedded database.
 * `write` applies all its operations in one commit.
 */
export interface Persistence {
  readonly description: string
  load(): { events: EventMeta[]; configs: Record<string, EventInvokeConfigEntry> }
  payload(id: string): string
  write(ops: readonly WriteOp[]): Promise<void>
  close(): Promise<void>
}

interface Waiting {
  meta: EventMeta
  seq: number
}

interface FunctionEvents {
  /** Due order; leased events are not in it. */
  heap: MinHeap<Waiting>
  /** Every event held, in the order accepted: the first is the oldest. */
  held: Map<string, EventMeta>
  bytes: number
  waiters: Set<() => void>
}

class LocalLease implements Lease {
  /** Runs the lease out: the event is due again and this lease is void. */
  timer: NodeJS.Timeout | undefined
  constructor(
    readonly event: QueuedEvent,
    readonly meta: EventMeta,
  ) {}
}

const DEAD_LETTERS_KEPT = 100

/**
 * A store for one process: the index of events (due order, leases, usage)
 * lives in memory, the events themselves in a `Persistence`. Leases are
 * this process's alone, so they are not written anywhere: after a crash,
 * every event that was not acked is due again at the next start. A lease
 * runs out on a timer (a message's visibility timeout) unless renewed.
 */
export class LocalStore implements EventStore {
  readonly #persistence: Persistence
  readonly #functions = new Map<string, FunctionEvents>()
  readonly #configs: Record<string, EventInvokeConfigEntry>
  readonly #deadLetters: Array<{ id: string; functionName: string; reason: string; at: number }> = []
  /** Leases handed out and not yet acked or put back. */
  readonly #live = new Set<Lease>()
  readonly #scheduler = new LocalScheduler()
  #seq = 0
  #closed = false

  constructor(persistence: Persistence) {
    this.#persistence = persistence
    const { events, configs } = persistence.load()
    this.#configs = configs
    events.sort((a, b) => a.acceptedAt - b.acceptedAt)
    for (const meta of events) this.#hold(meta)
  }

  get description(): string {
    return this.#persistence.description
  }

  /** The last dropped events and why (kept in memory, for inspection and tests). */
  get deadLetters(): ReadonlyArray<{ id: string; functionName: string; reason: string; at: number }> {
    return this.#deadLetters
  }

  async enqueue(events: readonly NewEvent[]): Promise<void> {
    this.#assertOpen()
    // An id is enqueued once: a repeated accept (a retried request) is the same event.
    const fresh = new Map<string, NewEvent>()
    for (const event of events) {
      if (!this.#functions.get(event.functionName)?.held.has(event.id)) fresh.set(event.id, event)
    }
    const metas = [...fresh.values()].map(toMeta)
    if (metas.length === 0) return
    await this.#persistence.write(
      metas.map((meta) => ({ type: 'put', meta, payload: (fresh.get(meta.id) as NewEvent).payload })),
    )
    // Claimable only once written: an event nobody could find after a crash was never accepted.
    for (const meta of metas) this.#hold(meta)
    this.#notify(metas)
  }

  claim(functionName: string, max: number, options: ClaimOptions): Promise<Lease[]> {
    this.#assertOpen()
    const taken = this.#take(functionName, max, options.leaseMs)
    if (taken.length > 0 || options.waitMs <= 0 || options.signal.aborted) return Promise.resolve(taken)
    const events = this.#eventsOf(functionName)
    return new Promise((resolve) => {
      let dueTimer: NodeJS.Timeout | undefined
      const deadline = setTimeout(() => finish([]), options.waitMs)
      const finish = (leases: Lease[]): void => {
        clearTimeout(deadline)
        clearTimeout(dueTimer)
        events.waiters.delete(check)
        options.signal.removeEventListener('abort', onAbort)
        resolve(leases)
      }
      const onAbort = (): void => finish([])
      // Called when an event of this function was stored or put back, and
      // when the earliest waiting one falls due.
      const check = (): void => {
        if (this.#closed) return finish([])
        const leases = this.#take(functionName, max, options.leaseMs)
        if (leases.length > 0) return finish(leases)
        clearTimeout(dueTimer)
        const next = events.heap.peek()
        if (next !== undefined) dueTimer = setTimeout(check, Math.max(0, next.meta.runAt - Date.now()) + 1)
      }
      events.waiters.add(check)
      options.signal.addEventListener('abort', onAbort, { once: true })
      check()
    })
  }

  async renew(lease: Lease, leaseMs: number): Promise<void> {
    this.#assertOpen()
    if (!this.#live.has(lease)) throw new LeaseLostError(`The lease on event ${lease.event.id} is no longer held`)
    this.#startLease(lease as LocalLease, leaseMs)
  }

  async purge(functionName: string): Promise<number> {
    this.#assertOpen()
    const events = this.#functions.get(functionName)
    if (events === undefined || events.held.size === 0) return 0
    const ids = [...events.held.keys()]
    await this.#persistence.write(ids.map((id) => ({ type: 'remove', id })))
    for (const lease of [...this.#live]) {
      if (lease.event.functionName !== functionName) continue
      clearTimeout((lease as LocalLease).timer)
      this.#live.delete(lease)
    }
    for (const id of ids) events.held.delete(id)
    events.bytes = 0
    while (events.heap.pop() !== undefined) {}
    return ids.length
  }

  async ack(lease: Lease, next: readonly NewEvent[] = []): Promise<void> {
    await this.#finish(lease, next)
  }

  async deadLetter(lease: Lease, reason: string, next: readonly NewEvent[] = []): Promise<void> {
    await this.#finish(lease, next)
    const { id, functionName } = lease.event
    this.#deadLetters.push({ id, functionName, reason, at: Date.now() })
    if (this.#deadLetters.length > DEAD_LETTERS_KEPT) this.#deadLetters.shift()
  }

  async retryLater(
    lease: Lease,
    runAt: number,
    counters: Pick<QueuedEvent, 'invokeCount' | 'throttles'>,
  ): Promise<void> {
    this.#release(lease)
    const { meta } = lease as LocalLease
    const updated: EventMeta = { ...meta, ...counters, runAt }
    await this.#persistence.write([{ type: 'put', meta: updated }])
    Object.assign(meta, updated)
    this.#eventsOf(meta.functionName).heap.push({ meta, seq: this.#seq++ })
    this.#notify([meta])
  }

  usage(functionName: string): StoreUsage {
    const events = this.#functions.get(functionName)
    if (events === undefined) return { events: 0, leased: 0, bytes: 0, oldestAcceptedAt: null }
    const oldest = events.held.values().next()
    return {
      events: events.held.size,
      leased: events.held.size - events.heap.size,
      bytes: events.bytes,
      oldestAcceptedAt: oldest.done === true ? null : oldest.value.acceptedAt,
    }
  }

  async loadConfigs(): Promise<Record<string, EventInvokeConfigEntry>> {
    return { ...this.#configs }
  }

  async saveConfig(functionName: string, entry: EventInvokeConfigEntry | null): Promise<void> {
    this.#assertOpen()
    await this.#persistence.write([{ type: 'config', functionName, entry }])
    if (entry === null) delete this.#configs[functionName]
    else this.#configs[functionName] = entry
  }

  async startSchedules(schedules: readonly StoredSchedule[], onTick: (tick: Tick) => Promise<void>): Promise<void> {
    this.#assertOpen()
    this.#scheduler.start(schedules, onTick)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const lease of this.#live) clearTimeout((lease as LocalLease).timer)
    this.#scheduler.stop()
    for (const events of this.#functions.values()) for (const waiter of [...events.waiters]) waiter()
    await this.#persistence.close()
  }

  async #finish(lease: Lease, next: readonly NewEvent[]): Promise<void> {
    this.#release(lease)
    const { meta } = lease as LocalLease
    const metas = next.map(toMeta)
    await this.#persistence.write([
      { type: 'remove', id: meta.id },
      ...metas.map((m, i): WriteOp => ({ type: 'put', meta: m, payload: (next[i] as NewEvent).payload })),
    ])
    const events = this.#eventsOf(meta.functionName)
    if (events.held.delete(meta.id)) events.bytes -= meta.bytes
    for (const m of metas) this.#hold(m)
    this.#notify(metas)
  }

  #take(functionName: string, max: number, leaseMs: number): Lease[] {
    const events = this.#functions.get(functionName)
    if (events === undefined) return []
    const now = Date.now()
    const leases: Lease[] = []
    while (leases.length < max) {
      const top = events.heap.peek()
      if (top === undefined || top.meta.runAt > now) break
      events.heap.pop()
      const { meta } = top
      meta.receiveCount = (meta.receiveCount ?? 0) + 1
      meta.firstReceivedAt ??= now
      const event: QueuedEvent = {
        id: meta.id,
        functionName: meta.functionName,
        payload: this.#persistence.payload(meta.id),
        acceptedAt: meta.acceptedAt,
        invokeCount: meta.invokeCount,
        throttles: meta.throttles,
        receiveCount: meta.receiveCount,
        firstReceivedAt: meta.firstReceivedAt,
      }
      const lease = new LocalLease(event, meta)
      this.#live.add(lease)
      this.#startLease(lease, leaseMs)
      leases.push(lease)
    }
    return leases
  }

  #startLease(lease: LocalLease, leaseMs: number): void {
    clearTimeout(lease.timer)
    lease.timer = setTimeout(() => this.#expire(lease), leaseMs)
    lease.timer.unref()
  }

  /** The lease ran out: the event is due now, for whoever claims next. */
  #expire(lease: LocalLease): void {
    if (this.#closed || !this.#live.delete(lease)) return
    const { meta } = lease
    meta.runAt = Date.now()
    this.#eventsOf(meta.functionName).heap.push({ meta, seq: this.#seq++ })
    this.#notify([meta])
  }

  /** A lease is used once: acked, dropped or put back. */
  #release(lease: Lease): void {
    this.#assertOpen()
    if (!this.#live.delete(lease)) throw new LeaseLostError(`The lease on event ${lease.event.id} is no longer held`)
    clearTimeout((lease as LocalLease).timer)
  }

  #hold(meta: EventMeta): void {
    const events = this.#eventsOf(meta.functionName)
    events.held.set(meta.id, meta)
    events.bytes += meta.bytes
    events.heap.push({ meta, seq: this.#seq++ })
  }

  #notify(metas: readonly EventMeta[]): void {
    const names = new Set(metas.map((meta) => meta.functionName))
    for (const name of names) {
      for (const waiter of [...(this.#functions.get(name)?.waiters ?? [])]) waiter()
    }
  }

  #eventsOf(functionName: string): FunctionEvents {
    let events = this.#functions.get(functionName)
    if (events === undefined) {
      events = {
        heap: new MinHeap<Waiting>(
          (a, b) => a.meta.runAt < b.meta.runAt || (a.meta.runAt === b.meta.runAt && a.seq < b.seq),
        ),
        held: new Map(),
        bytes: 0,
        waiters: new Set(),
      }
      this.#functions.set(functionName, events)
    }
    return events
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('The event store is closed')
  }
}

function toMeta(event: NewEvent): EventMeta {
  return {
    id: event.id,
    functionName: event.functionName,
    runAt: event.runAt ?? Date.now(),
    acceptedAt: event.acceptedAt,
    invokeCount: 0,
    throttles: 0,
    bytes: Buffer.byteLength(event.payload),
  }
}
