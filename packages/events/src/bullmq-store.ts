import { randomUUID } from 'node:crypto'
import type { EventInvokeConfigEntry } from '@lambdalet/protocol'
import type { Job } from 'bullmq'
import { type AnyQueue, type AnyWorker, type BullmqBackend, errorLine } from './bullmq-backend.js'
import { BullmqScheduler } from './bullmq-scheduler.js'
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

export interface BullmqStoreOptions {
  /**
   * `redis://host:port[/db]` (or `rediss://` for TLS), or
   * `postgres://user:password@host:port/db` (or `postgresql://`) for
   * BullMQ's PostgreSQL backend.
   */
  url: string
  /**
   * The namespace of several stores on one server. On Redis, the prefix of
   * every key (a function's queue is `<prefix>:<function>`); on PostgreSQL,
   * the schema (a plain identifier). Default `lambdalet`.
   */
  prefix?: string
  /**
   * How often BullMQ looks for events whose lease (job lock) ran out because
   * their consumer died; such an event is back in `lease + 2 × this` at most.
   * Default 5000 ms.
   */
  stalledIntervalMs?: number
  /**
   * How many times an event may come back from a dead consumer before BullMQ
   * fails it on its own. Default: practically never; the event's max age,
   * checked above the store, is the bound.
   */
  maxStalledCount?: number
  /** Dropped events kept in each function's failed set for inspection. Default 1000. */
  deadLetterLimit?: number
  /** How often `usage()` is refreshed from the server. Default 500 ms. */
  usageRefreshMs?: number
  /** Give up connecting at start after this long. Default 3000 ms. */
  connectTimeoutMs?: number
  /** Errors after start (the server went away; the clients reconnect on their own). Default: ignored. */
  onError?: (error: Error) => void
}

/** A function name, or a message queue's key (`sqs.orders`). */
const FUNCTION_NAME = /^[A-Za-z0-9_.-]{1,90}$/
/** The lock a worker made only to settle resumed leases takes for its own claims, until one asks for another. */
const DEFAULT_RESUMED_LEASE_MS = 30_000
/** Refreshes in a row a lane may skip because local writes overlapped their reads. */
const MAX_AMBIGUOUS_REFRESHES = 3
/** The longest a blocking fetch waits, in seconds: bounds how long a fetch outlives the claim that started it. */
const BLOCK_SECONDS = 1

interface Waiter {
  settle(job?: Job): void
}

/** One function: its queue, the worker that claims from it, and what `usage()` answers. */
interface Lane {
  name: string
  queue: AnyQueue
  worker: Promise<AnyWorker> | null
  /** The one blocking fetch in flight, shared by every claim waiting on this function. */
  fetching: boolean
  waiters: Waiter[]
  usage: StoreUsage
  /** Local changes since the refresh in flight started, added on top of what it reads when it cannot be exact. */
  delta: { events: number; bytes: number; oldest: number | null }
  refreshing: boolean
  /** Writes that change the usage: started so far, and still running. */
  writes: { started: number; running: number }
  /** Refreshes in a row whose reads may or may not have seen a local write. */
  ambiguous: number
}

interface Held {
  lane: Lane
  job: Job
  token: string
  bytes: number
}

/**
 * The distributed store: one BullMQ queue per function on a Redis or a
 * PostgreSQL that several `lambdalet serve` processes share. A lease is
 * BullMQ's job lock; a process that dies has its events moved back to
 * waiting by BullMQ's stalled-job check once their locks run out, without
 * counting a run.
 */
export async function createBullmqStore(options: BullmqStoreOptions): Promise<EventStore> {
  const backendOptions = {
    url: options.url,
    prefix: options.prefix ?? 'lambdalet',
    connectTimeoutMs: options.connectTimeoutMs ?? 3000,
    onError: options.onError ?? (() => {}),
  }
  // Each backend's client is loaded only when its scheme is asked for.
  const backend =
    backendKind(options.url) === 'redis'
      ? await (await import('./bullmq-redis.js')).openRedisBackend(backendOptions)
      : await (await import('./bullmq-postgres.js')).openPostgresBackend(backendOptions)
  const store = new BullmqStore(backend, options, backendOptions.onError)
  try {
    await store.start()
  } catch (error) {
    await store.close()
    throw new Error(`cannot reach the store at ${backend.description}: ${errorLine(error)}`)
  }
  return store
}

class BullmqStore implements EventStore {
  readonly description: string
  readonly #backend: BullmqBackend
  readonly #stalledIntervalMs: number
  readonly #maxStalledCount: number
  readonly #deadLetterLimit: number
  readonly #usageRefreshMs: number
  readonly #onError: (error: Error) => void
  readonly #lanes = new Map<string, Lane>()
  readonly #held = new WeakMap<Lease, Held>()
  #refreshTimer: NodeJS.Timeout | undefined
  #scheduler: BullmqScheduler | null = null
  #closing: Promise<void> | null = null

  constructor(backend: BullmqBackend, options: BullmqStoreOptions, onError: (error: Error) => void) {
    this.description = backend.description
    this.#backend = backend
    this.#stalledIntervalMs = options.stalledIntervalMs ?? 5000
    this.#maxStalledCount = options.maxStalledCount ?? 1_000_000_000
    this.#deadLetterLimit = options.deadLetterLimit ?? 1000
    this.#usageRefreshMs = options.usageRefreshMs ?? 500
    this.#onError = onError
  }

  /** Learns the functions that already hold events, so `usage()` is right from the first call. */
  async start(): Promise<void> {
    const known = await this.#backend.indexedFunctions()
    await Promise.all(known.filter((name) => FUNCTION_NAME.test(name)).map((name) => this.#refresh(this.#lane(name))))
    this.#refreshTimer = setInterval(() => {
      for (const lane of this.#lanes.values()) void this.#refresh(lane)
    }, this.#usageRefreshMs)
    this.#refreshTimer.unref()
  }

  async enqueue(events: readonly NewEvent[]): Promise<void> {
    this.#assertOpen()
    const byFunction = new Map<string, NewEvent[]>()
    for (const event of events) {
      checkFunctionName(event.functionName)
      const list = byFunction.get(event.functionName)
      if (list) list.push(event)
      else byFunction.set(event.functionName, [event])
    }
    await Promise.all([...byFunction].map(([name, list]) => this.#enqueueTo(this.#lane(name), list)))
  }

  #enqueueTo(lane: Lane, events: readonly NewEvent[]): Promise<void> {
    return this.#writing(lane, () => this.#addJobs(lane, events))
  }

  async #addJobs(lane: Lane, events: readonly NewEvent[]): Promise<void> {
    const now = Date.now()
    await lane.queue.addBulk(
      events.map((event) => {
        const data: QueuedEvent = {
          id: event.id,
          functionName: event.functionName,
          payload: event.payload,
          acceptedAt: event.acceptedAt,
          invokeCount: 0,
          throttles: 0,
          receiveCount: 0,
          firstReceivedAt: 0,
        }
        return {
          name: 'event',
          data,
          opts: { jobId: jobIdOf(event.id), delay: Math.max(0, (event.runAt ?? now) - now) },
        }
      }),
    )
    // After the jobs, so an index entry never names a job that is not there
    // yet; a crash in between leaves a job unindexed (usage slightly low
    // until it finishes), never an event lost.
    await this.#backend.indexAdd(
      lane.name,
      events.map((event) => ({ id: event.id, acceptedAt: event.acceptedAt, bytes: Buffer.byteLength(event.payload) })),
    )
    for (const event of events) this.#adjust(lane, 1, Buffer.byteLength(event.payload), event.acceptedAt)
  }

  async claim(functionName: string, max: number, options: ClaimOptions): Promise<Lease[]> {
    checkFunctionName(functionName)
    if (this.#closing || max < 1 || options.signal.aborted) return []
    const lane = this.#lane(functionName)
    const worker = await this.#workerFor(lane, options.leaseMs)
    const jobs: Job[] = []
    await this.#takeReady(worker, jobs, max)
    if (jobs.length === 0 && options.waitMs > 0) {
      const job = await this.#waitForJob(lane, worker, options)
      if (job) {
        jobs.push(job)
        await this.#takeReady(worker, jobs, max)
      }
    }
    return Promise.all(jobs.map((job) => this.#lease(lane, job, options.leaseMs)))
  }

  /** Takes due events without waiting, up to `max` in all. */
  async #takeReady(worker: AnyWorker, jobs: Job[], max: number): Promise<void> {
    while (jobs.length < max && !this.#closing) {
      const job = await worker.getNextJob(randomUUID(), { block: false })
      if (!job) return
      jobs.push(job)
    }
  }

  /**
   * BullMQ's blocking fetch cannot be cancelled, so a claim does not own one:
   * it joins the lane's waiters and the lane keeps one fetch running while
   * anyone waits. A job that arrives after every waiter gave up goes straight
   * back to waiting for another consumer.
   */
  #waitForJob(lane: Lane, worker: AnyWorker, { waitMs, signal }: ClaimOptions): Promise<Job | undefined> {
    // The signal may have aborted, or the store closed, while the worker was
    // starting: an abort listener added now would never be called, and no
    // pump runs on a closed store, so the claim would wait out waitMs.
    if (signal.aborted || this.#closing) return Promise.resolve(undefined)
    return new Promise((resolve) => {
      let settled = false
      const waiter: Waiter = {
        settle: (job) => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          signal.removeEventListener('abort', onAbort)
          const at = lane.waiters.indexOf(waiter)
          if (at >= 0) lane.waiters.splice(at, 1)
          resolve(job)
        },
      }
      const onAbort = () => waiter.settle()
      const timer = setTimeout(onAbort, waitMs)
      timer.unref()
      signal.addEventListener('abort', onAbort, { once: true })
      lane.waiters.push(waiter)
      void this.#pump(lane, worker)
    })
  }

  async #pump(lane: Lane, worker: AnyWorker): Promise<void> {
    if (lane.fetching) return
    lane.fetching = true
    try {
      while (lane.waiters.length > 0 && !this.#closing) {
        const token = randomUUID()
        const job = await worker.getNextJob(token, { block: true })
        if (!job) continue
        const waiter = lane.waiters.shift()
        if (waiter && !this.#closing) waiter.settle(job)
        else await job.moveToWait(token).catch((error: Error) => this.#onError(error))
      }
    } catch (error) {
      if (!this.#closing) this.#onError(asError(error))
      for (const waiter of [...lane.waiters]) waiter.settle()
    } finally {
      lane.fetching = false
    }
  }

  async #lease(lane: Lane, job: Job, leaseMs: number): Promise<Lease> {
    const token = job.token
    if (token === undefined) throw new Error(`BullMQ returned job ${job.id} of ${lane.name} without its lock token`)
    // The worker's lock duration is the first claim's lease; a claim asking
    // for another lease sets it on each job it took.
    const worker = await lane.worker
    if (worker && worker.opts.lockDuration !== leaseMs) await this.#extend(lane, job, token, leaseMs)
    return this.#hold(lane, job, token)
  }

  #hold(lane: Lane, job: Job, token: string): Lease {
    const event = toEvent(job.data as QueuedEvent, job)
    const lease: Lease = Object.freeze({ event, token })
    this.#held.set(lease, { lane, job, token, bytes: Buffer.byteLength(event.payload) })
    return lease
  }

  async resume(functionName: string, eventId: string, token: string): Promise<Lease | null> {
    checkFunctionName(functionName)
    this.#assertOpen()
    const lane = this.#lane(functionName)
    // Putting it back (retryLater) goes through a worker of this process.
    await this.#workerFor(lane, DEFAULT_RESUMED_LEASE_MS)
    const job = (await lane.queue.getJob(jobIdOf(eventId))) as Job | undefined
    if (!job || (await job.getState()) !== 'active') return null
    // Whether `token` still holds the lock is checked by BullMQ's scripts when the lease is used.
    return this.#hold(lane, job, token)
  }

  async renew(lease: Lease, leaseMs: number): Promise<void> {
    const held = this.#holding(lease)
    await this.#extend(held.lane, held.job, held.token, leaseMs)
  }

  async #extend(lane: Lane, job: Job, token: string, leaseMs: number): Promise<void> {
    const extended = await job.extendLock(token, leaseMs)
    if (extended !== 1)
      throw new LeaseLostError(
        `the lease on event ${job.data.id} of ${lane.name} is lost: its lock ran out or another consumer holds it`,
      )
  }

  async ack(lease: Lease, next?: readonly NewEvent[]): Promise<void> {
    const held = this.#holding(lease)
    // BullMQ cannot complete a job and add others in one transaction: add
    // first, so a crash in between runs the event again (at least once)
    // rather than losing its destination events.
    if (next && next.length > 0) await this.enqueue(next)
    await this.#finish(held, () => held.job.moveToCompleted(null, held.token, false))
    this.#held.delete(lease)
  }

  async retryLater(
    lease: Lease,
    runAt: number,
    counters: Pick<QueuedEvent, 'invokeCount' | 'throttles'>,
  ): Promise<void> {
    const held = this.#holding(lease)
    const data: QueuedEvent = { ...lease.event, invokeCount: counters.invokeCount, throttles: counters.throttles }
    const worker = await held.lane.worker
    if (!worker) throw new Error(`no worker for ${held.lane.name}`)
    // The counters are written before the job is due again, so no consumer
    // sees it with its old ones: on Redis in the one script that checks the
    // lock and delays the job; on PostgreSQL just before, while the job is
    // still active and locked to this consumer.
    if (!this.#backend.delayWritesData) await held.job.updateData(data)
    const now = Date.now()
    await worker.getBackend().moveToDelayed(held.job.id!, now, Math.max(0, runAt - now), held.token, {
      skipAttempt: true,
      fieldsToUpdate: { data: JSON.stringify(data) },
    })
    this.#held.delete(lease)
  }

  async deadLetter(lease: Lease, reason: string, next?: readonly NewEvent[]): Promise<void> {
    const held = this.#holding(lease)
    if (next && next.length > 0) await this.enqueue(next)
    await this.#finish(held, () => held.job.moveToFailed(new Error(reason), held.token, false))
    this.#held.delete(lease)
  }

  #finish(held: Held, move: () => Promise<unknown>): Promise<void> {
    return this.#writing(held.lane, async () => {
      await move().catch((error: unknown) => {
        // BullMQ's scripts refuse a token whose lock ran out (error codes -1, -2, -6: missing lock or job).
        if (error instanceof Error && /lock|Missing key/i.test(error.message)) throw new LeaseLostError(error.message)
        throw error
      })
      // A crash before this leaves an index entry for a finished job; the
      // refresh notices (the job is gone or finished) and removes it.
      await this.#backend.indexRemove(held.lane.name, [held.job.data.id])
      this.#adjust(held.lane, -1, -held.bytes, null)
    })
  }

  /** A write that changes the usage, counted so a refresh can tell whether its reads are exact. */
  async #writing(lane: Lane, write: () => Promise<void>): Promise<void> {
    lane.writes.started++
    lane.writes.running++
    try {
      await write()
    } finally {
      lane.writes.running--
    }
  }

  /** Waiting and delayed events; running ones hold a lock and stay (see the port). */
  async purge(functionName: string): Promise<number> {
    checkFunctionName(functionName)
    this.#assertOpen()
    const lane = this.#lane(functionName)
    const removed: Job[] = []
    await this.#writing(lane, async () => {
      const jobs = await lane.queue.getJobs(['waiting', 'delayed', 'prioritized'])
      for (const job of jobs) {
        // One taken meanwhile is locked: BullMQ refuses to remove it.
        const ok = await (job as Job)
          .remove()
          .then(() => true)
          .catch(() => false)
        if (ok) removed.push(job as Job)
      }
      await this.#backend.indexRemove(
        lane.name,
        removed.map((job) => (job.data as QueuedEvent).id),
      )
      for (const job of removed) this.#adjust(lane, -1, -Buffer.byteLength((job.data as QueuedEvent).payload), null)
    })
    return removed.length
  }

  usage(functionName: string): StoreUsage {
    checkFunctionName(functionName)
    const lane = this.#closing ? this.#lanes.get(functionName) : this.#lane(functionName)
    if (!lane) return { events: 0, leased: 0, bytes: 0, oldestAcceptedAt: null }
    const { events, leased, bytes, oldestAcceptedAt } = lane.usage
    return { events, leased, bytes, oldestAcceptedAt }
  }

  async loadConfigs(): Promise<Record<string, EventInvokeConfigEntry>> {
    const raw = await this.#backend.loadConfigs()
    const configs: Record<string, EventInvokeConfigEntry> = {}
    for (const [name, json] of Object.entries(raw)) configs[name] = JSON.parse(json) as EventInvokeConfigEntry
    return configs
  }

  async saveConfig(functionName: string, entry: EventInvokeConfigEntry | null): Promise<void> {
    checkFunctionName(functionName)
    this.#assertOpen()
    await this.#backend.saveConfig(functionName, entry === null ? null : JSON.stringify(entry))
  }

  async startSchedules(schedules: readonly StoredSchedule[], onTick: (tick: Tick) => Promise<void>): Promise<void> {
    this.#assertOpen()
    this.#scheduler ??= new BullmqScheduler(this.#backend, {
      stalledIntervalMs: this.#stalledIntervalMs,
      onError: this.#onError,
    })
    await this.#scheduler.start(schedules, onTick)
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutDown()
    return this.#closing
  }

  async #shutDown(): Promise<void> {
    clearInterval(this.#refreshTimer)
    await this.#scheduler?.close()
    const lanes = [...this.#lanes.values()]
    for (const lane of lanes) for (const waiter of [...lane.waiters]) waiter.settle()
    // Forced: a worker's blocking connection is disconnected rather than
    // waited on. Leases still held keep their locks on the server and come back
    // through the stalled check once those run out.
    await Promise.allSettled(
      lanes.map(async (lane) => {
        const worker = await lane.worker?.catch(() => null)
        await worker?.close(true)
        await lane.queue.close()
      }),
    )
    await this.#backend.close()
  }

  #lane(name: string): Lane {
    let lane = this.#lanes.get(name)
    if (!lane) {
      const queue = this.#backend.queue(name, {
        defaultJobOptions: { removeOnComplete: true, removeOnFail: { count: this.#deadLetterLimit } },
      })
      queue.on('error', (error) => this.#onError(error))
      lane = {
        name,
        queue,
        worker: null,
        fetching: false,
        waiters: [],
        usage: { events: 0, leased: 0, bytes: 0, oldestAcceptedAt: null },
        delta: { events: 0, bytes: 0, oldest: null },
        refreshing: false,
        writes: { started: 0, running: 0 },
        ambiguous: 0,
      }
      this.#lanes.set(name, lane)
    }
    return lane
  }

  /** Manual processing: a worker with no processor, never run; it lends its fetch, locks and stalled check. */
  #workerFor(lane: Lane, leaseMs: number): Promise<AnyWorker> {
    lane.worker ??= (async () => {
      const worker = this.#backend.worker(lane.name, {
        autorun: false,
        lockDuration: leaseMs,
        stalledInterval: this.#stalledIntervalMs,
        maxStalledCount: this.#maxStalledCount,
        drainDelay: BLOCK_SECONDS,
        removeOnFail: { count: this.#deadLetterLimit },
      })
      worker.on('error', (error) => this.#onError(error))
      try {
        await worker.waitUntilReady()
        await worker.startStalledCheckTimer()
      } catch (error) {
        lane.worker = null
        await worker.close(true).catch(() => {})
        throw error
      }
      return worker
    })()
    return lane.worker
  }

  async #refresh(lane: Lane): Promise<void> {
    if (lane.refreshing || this.#closing) return
    lane.refreshing = true
    lane.delta = { events: 0, bytes: 0, oldest: null }
    // A local write that overlaps the reads may land before or after them:
    // adding it to what they read could count it twice, and leaving it out
    // could miss it. Only reads that no local write overlapped replace the
    // local count; after a few ambiguous ones in a row, read + delta does,
    // so that other instances' events are seen even under constant churn.
    const startedBefore = lane.writes.started
    const quietAtStart = lane.writes.running === 0
    try {
      const [counts, bytes, oldest] = await Promise.all([
        lane.queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized', 'waiting-children'),
        this.#backend.indexBytes(lane.name),
        this.#oldest(lane),
      ])
      const events = Object.values(counts).reduce((sum, count) => sum + count, 0)
      const exact = quietAtStart && lane.writes.started === startedBefore
      if (!exact && ++lane.ambiguous < MAX_AMBIGUOUS_REFRESHES) return
      lane.ambiguous = 0
      const delta = exact ? { events: 0, bytes: 0, oldest: null } : lane.delta
      lane.usage = {
        events: Math.max(0, events + delta.events),
        leased: counts['active'] ?? 0,
        bytes: Math.max(0, bytes + delta.bytes),
        oldestAcceptedAt: minOf(events + delta.events > 0 ? oldest : null, delta.oldest),
      }
    } catch (error) {
      if (!this.#closing) this.#onError(asError(error))
    } finally {
      lane.refreshing = false
    }
  }

  /** The oldest indexed event that is still a job waiting, delayed or running, dropping index entries left by a crash. */
  async #oldest(lane: Lane): Promise<number | null> {
    for (let tries = 0; tries < 5; tries++) {
      const oldest = await this.#backend.indexOldest(lane.name)
      if (oldest === null) return null
      const state = await lane.queue.getJobState(jobIdOf(oldest.id))
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return oldest.acceptedAt
      await this.#backend.indexRemove(lane.name, [oldest.id])
    }
    return null
  }

  #adjust(lane: Lane, events: number, bytes: number, acceptedAt: number | null): void {
    const { usage, delta } = lane
    usage.events = Math.max(0, usage.events + events)
    usage.bytes = Math.max(0, usage.bytes + bytes)
    if (usage.events === 0) usage.oldestAcceptedAt = null
    else usage.oldestAcceptedAt = minOf(usage.oldestAcceptedAt, acceptedAt)
    delta.events += events
    delta.bytes += bytes
    delta.oldest = minOf(delta.oldest, acceptedAt)
  }

  #holding(lease: Lease): Held {
    this.#assertOpen()
    const held = this.#held.get(lease)
    if (!held)
      throw new LeaseLostError(
        `event ${lease.event.id} is not leased from this store (already acked, put back or dropped?)`,
      )
    return held
  }

  #assertOpen(): void {
    if (this.#closing) throw new Error(`the store at ${this.description} is closed`)
  }
}

/** Which BullMQ backend a URL names; anything else is refused before any connection. */
function backendKind(url: string): 'redis' | 'postgres' {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase()
  let parsed = true
  try {
    new URL(url)
  } catch {
    parsed = false
  }
  if (parsed && (scheme === 'redis' || scheme === 'rediss')) return 'redis'
  if (parsed && (scheme === 'postgres' || scheme === 'postgresql')) return 'postgres'
  throw new Error(
    `Expected \`url\` to be redis://host:port[/db] or postgres://user:password@host:port/db, got \`${maskPassword(url)}\``,
  )
}

function maskPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@')
}

function checkFunctionName(name: string): void {
  if (!FUNCTION_NAME.test(name))
    throw new Error(`Expected a function name or queue key of 1 to 90 letters, digits, ., - or _, got \`${name}\``)
}

/**
 * Job ids cannot be BullMQ's: it refuses ids that look like integers or
 * contain `:`, and a job's hash is `<prefix>:<queue>:<id>`, so an id such
 * as `delayed` or `meta` would land on the queue's own keys (none of which
 * has a digit). Any id without a digit, or otherwise risky, is escaped
 * behind a `%` that no plain id starts with: the mapping stays one to one,
 * so enqueueing the same event twice is still a no-op. Request ids (UUIDs)
 * pass through as they are.
 */
function jobIdOf(id: string): string {
  const plain = /\d/.test(id) && !id.startsWith('%') && !id.includes(':') && `${parseInt(id, 10)}` !== id
  return plain ? id : `%${encodeURIComponent(id)}`
}

/**
 * BullMQ counts every move to active in `attemptsStarted`, which is the
 * receive count; it keeps only the latest start, so the first receipt is
 * approximated by it.
 */
function toEvent(data: QueuedEvent, job: Job): QueuedEvent {
  return {
    id: data.id,
    functionName: data.functionName,
    payload: data.payload,
    acceptedAt: data.acceptedAt,
    invokeCount: data.invokeCount,
    throttles: data.throttles,
    receiveCount: Math.max(1, job.attemptsStarted),
    firstReceivedAt: job.processedOn ?? Date.now(),
  }
}

function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b
  if (b === null) return a
  return Math.min(a, b)
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error))
}
