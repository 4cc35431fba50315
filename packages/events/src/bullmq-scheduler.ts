import type { Job, RepeatOptions } from 'bullmq'
import type { AnyQueue, AnyWorker, BullmqBackend } from './bullmq-backend.js'
import type { StoredSchedule, Tick } from './event-store.js'
import { parseScheduleExpression, type ScheduleExpression } from './schedule-expression.js'

/** Function names have no dot: this queue never meets a function's. */
const TICKS_QUEUE = '.schedules'

/**
 * Schedules on a store several processes share: one BullMQ job scheduler
 * per schedule, on one queue of ticks. BullMQ keeps one job per tick
 * whoever upserted the scheduler, and one worker of all takes each, so a
 * tick fires once in all. The expression goes to BullMQ as the scheduler's
 * `pattern` and the moment it was first created as its `startDate`; a
 * repeat strategy of ours (croner, through `parseScheduleExpression`)
 * computes each next tick, since BullMQ's own cron parser has neither AWS's
 * fields nor rates anchored at creation.
 */
export class BullmqScheduler {
  readonly #backend: BullmqBackend
  readonly #stalledIntervalMs: number
  readonly #onError: (error: Error) => void
  #queue: AnyQueue | null = null
  #worker: AnyWorker | null = null
  #known = new Set<string>()
  #onTick: ((tick: Tick) => Promise<void>) | null = null

  constructor(backend: BullmqBackend, options: { stalledIntervalMs: number; onError: (error: Error) => void }) {
    this.#backend = backend
    this.#stalledIntervalMs = options.stalledIntervalMs
    this.#onError = options.onError
  }

  async start(schedules: readonly StoredSchedule[], onTick: (tick: Tick) => Promise<void>): Promise<void> {
    this.#known = new Set(schedules.map((schedule) => schedule.id))
    this.#onTick = onTick
    // Without schedules and none set before, nothing could fire here: the
    // store opens no queue of ticks (each costs connections), and schedules
    // a former config left behind wait, unrun, until a list replaces them.
    if (schedules.length === 0 && this.#queue === null) return
    const queue = this.#queue ?? this.#openQueue()
    const existing = new Map((await queue.getJobSchedulers(0, -1)).map((scheduler) => [scheduler.key, scheduler]))
    // The config is the truth: a schedule it no longer has stops firing.
    for (const key of existing.keys()) if (!this.#known.has(key)) await queue.removeJobScheduler(key)
    for (const schedule of schedules) {
      const current = existing.get(schedule.id)
      const startDate =
        current?.pattern === schedule.expression.text && current.startDate !== undefined
          ? current.startDate
          : Date.now()
      // An upsert replaces the scheduler's pending tick with the next one
      // from now: a tick that fell due while no instance ran is dropped,
      // and a rate keeps the anchor of whoever created it first.
      await queue.upsertJobScheduler(
        schedule.id,
        { pattern: schedule.expression.text, startDate },
        { name: 'tick', data: {}, opts: { removeOnComplete: true, removeOnFail: { count: 100 } } },
      )
    }
    if (this.#worker === null && schedules.length > 0) {
      const worker = this.#backend.worker(
        TICKS_QUEUE,
        { settings: { repeatStrategy }, concurrency: 4, stalledInterval: this.#stalledIntervalMs },
        (job) => this.#fire(job),
      )
      worker.on('error', (error) => this.#onError(error))
      this.#worker = worker
      await worker.waitUntilReady()
    }
  }

  async close(): Promise<void> {
    // Forced: a tick in flight keeps its lock and goes to another instance.
    await this.#worker?.close(true).catch(() => {})
    await this.#queue?.close().catch(() => {})
  }

  #openQueue(): AnyQueue {
    const queue = this.#backend.queue(TICKS_QUEUE, { settings: { repeatStrategy } })
    queue.on('error', (error) => this.#onError(error))
    this.#queue = queue
    return queue
  }

  async #fire(job: Job): Promise<void> {
    const scheduleId = job.repeatJobKey
    if (scheduleId === undefined || !this.#known.has(scheduleId) || this.#onTick === null) return
    const at = job.opts.prevMillis ?? Number(job.id?.split(':').at(-1))
    await this.#onTick({ scheduleId, at })
  }
}

const parsed = new Map<string, ScheduleExpression | null>()

/** BullMQ's hook for the next tick after `millis`: the expression is the scheduler's pattern. */
function repeatStrategy(millis: number, options: RepeatOptions): number | undefined {
  const text = options.pattern ?? ''
  let expression = parsed.get(text)
  if (expression === undefined) {
    const result = parseScheduleExpression(text)
    expression = result.ok ? result.expression : null
    parsed.set(text, expression)
  }
  if (expression === null) return undefined
  const anchor = options.startDate === undefined ? millis : new Date(options.startDate).getTime()
  return expression.next(millis, anchor) ?? undefined
}
