import type { EventInvokeConfigEntry } from '@lambdalet/protocol'
import type { ScheduleExpression } from './schedule-expression.js'

/** An event as the store keeps it between runs. */
export interface QueuedEvent {
  /** The request id the caller was given; the same on every run. */
  id: string
  /** The function it is for, or the key of the message queue that holds it (`sqs.<queue name>`). */
  functionName: string
  /** The event as JSON text. */
  payload: string
  /** When it was accepted, ms since the epoch: its age counts from here. */
  acceptedAt: number
  /** Runs of the function so far (the record's `approximateInvokeCount` after the next one). */
  invokeCount: number
  /** Consecutive throttles and service errors, which set the backoff. */
  throttles: number
  /**
   * Times a claim handed it out, this one included (a queue message's
   * `ApproximateReceiveCount`). Kept by the store, which may undercount
   * claims made just before a crash.
   */
  receiveCount: number
  /** When a claim first handed it out, ms since the epoch (`ApproximateFirstReceiveTimestamp`). */
  firstReceivedAt: number
}

export interface NewEvent {
  id: string
  functionName: string
  payload: string
  acceptedAt: number
  /** Not to be run before this, ms since the epoch (default: now). */
  runAt?: number
}

/**
 * An event taken by one consumer: no one else gets it until it is acked,
 * put back, or the lease expires (a queue message's visibility timeout).
 * Once the lease has run out without a renewal the event is due again, and
 * this lease is void. A lease settles once: a second ack, retry or
 * dead-letter of it, or one of a void lease, rejects.
 */
export interface Lease {
  readonly event: QueuedEvent
  /** On a store shared by processes: what another process gives `resume` to settle this lease. */
  readonly token?: string
}

/** Settling or renewing a lease that is no longer held: it ran out, or was settled already. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError'
}

export interface ClaimOptions {
  /**
   * How long the event is this consumer's alone. Then, unless renewed, it is
   * due again (every store; a shared one notices within its stalled-check
   * interval).
   */
  leaseMs: number
  /** Wait this long for an event to become due before resolving with none. */
  waitMs: number
  signal: AbortSignal
}

/** A schedule as a store keeps it: only when it ticks; what a tick does is decided above the store. */
export interface StoredSchedule {
  /** Unique in the store (the rule's name). */
  id: string
  expression: ScheduleExpression
}

export interface Tick {
  scheduleId: string
  /** When the tick fell due, ms since the epoch. */
  at: number
}

export interface StoreUsage {
  /** Events held for the function, running ones included. */
  events: number
  /** Of those, the ones leased now (running, or a message in flight). */
  leased: number
  /** Their payload bytes. */
  bytes: number
  /** The oldest one's `acceptedAt`, or `null` when there is none. */
  oldestAcceptedAt: number | null
}

/**
 * The narrow port under the asynchronous side. Adapters store, lease and
 * schedule; they decide nothing Lambda-specific (retries, max age and
 * destinations are decided above them, in `EventQueue`).
 */
export interface EventStore {
  /** Shown at start: `memory`, `embedded store in /path`, `redis://host:port`. */
  readonly description: string
  /**
   * Resolves once every event would survive a crash of this process (a
   * durable store). An id already held is not enqueued again.
   */
  enqueue(events: readonly NewEvent[]): Promise<void>
  /**
   * Up to `max` due events of `functionName`, oldest due first, each leased
   * to the caller. Waits up to `waitMs` for one; resolves with none then or
   * when `signal` aborts.
   */
  claim(functionName: string, max: number, options: ClaimOptions): Promise<Lease[]>
  /**
   * Takes up a lease another process of a shared store claimed, from its
   * `token` (a message received through one instance, deleted through
   * another). `null` when the event is gone or no longer leased. Stores of
   * one process do not have it.
   */
  resume?(functionName: string, eventId: string, token: string): Promise<Lease | null>
  /** Makes a lease that is still held run out `leaseMs` from now (a long-running invocation, ChangeMessageVisibility). */
  renew(lease: Lease, leaseMs: number): Promise<void>
  /** The event is finished: removes it and, in the same commit, stores `next` (destination events). */
  ack(lease: Lease, next?: readonly NewEvent[]): Promise<void>
  /** Puts the event back, due at `runAt`, with its counters updated. */
  retryLater(lease: Lease, runAt: number, counters: Pick<QueuedEvent, 'invokeCount' | 'throttles'>): Promise<void>
  /**
   * The event was dropped: removes it, keeps `reason` where the store can
   * show it (a bounded dead-letter log), and stores `next` in the same commit.
   */
  deadLetter(lease: Lease, reason: string, next?: readonly NewEvent[]): Promise<void>
  /**
   * Removes every event held for `functionName`, leased ones included (their
   * leases become void), and resolves with how many. A shared store may
   * leave the ones another process holds a lease on.
   */
  purge(functionName: string): Promise<number>
  /** What is held for a function now; kept up to date locally, so it costs nothing to ask. */
  usage(functionName: string): StoreUsage
  /** Event-invoke-configs set through the API, so a durable store keeps them across restarts. */
  loadConfigs(): Promise<Record<string, EventInvokeConfigEntry>>
  saveConfig(functionName: string, entry: EventInvokeConfigEntry | null): Promise<void>
  /**
   * From now on, calls `onTick` once for each tick of each schedule: once
   * in all when several processes share the store. Ticks that fell while
   * no process ran are not replayed. Replaces the schedules of an earlier
   * call; a schedule another process set and this list lacks is removed.
   * A tick whose `onTick` rejects may be offered again.
   */
  startSchedules(schedules: readonly StoredSchedule[], onTick: (tick: Tick) => Promise<void>): Promise<void>
  /** Releases the store's resources; events not acked stay for the next start. */
  close(): Promise<void>
}
