import { createHash, randomUUID } from 'node:crypto'
import {
  type AsyncFunctionStats,
  type AsyncInvoker,
  type AsyncStats,
  checkEventInvokeConfig,
  ErrorType,
  type EventInvokeConfig,
  type EventInvokeConfigEntry,
  type Invoker,
  isLambdaError,
  MAX_ASYNC_PAYLOAD_BYTES,
  serviceError,
} from '@lambdalet/protocol'
import { type AsyncPolicy, resolvePolicy } from './async-policy.js'
import type { EventLogger } from './event-logger.js'
import type { EventStore, NewEvent, Tick } from './event-store.js'
import { FunctionConsumer, type StepReport } from './function-consumer.js'
import { invocationRecord } from './invocation-record.js'
import type { QueueMapping } from './mapping-settings.js'
import type { QueueLimits } from './queue-limits.js'
import { QueuePoller } from './queue-poller.js'
import type { QueueSet } from './queue-set.js'
import { type ResolvedSchedule, resolveSchedules, type ScheduleOptions } from './schedule-options.js'
import { scheduledEvent } from './scheduled-event.js'

export interface EventQueueSettings {
  invoker: Invoker
  store: EventStore
  /** Config-file settings per function: the starting point the API can change. */
  functions: Record<string, EventInvokeConfig>
  retryDelaysMs: readonly [number, number]
  throttleBackoffMs: { initial: number; max: number }
  limits: QueueLimits
  logger: EventLogger
  functionArnPrefix: string
  region: string
  accountId: string
  fallbackConcurrency: number
  leaseMs: number
  /** Set through the API on an earlier run, read from the store at start. */
  storedConfigs: Record<string, EventInvokeConfigEntry>
  /** The SQS-style queues on the same store, and the event source mappings that feed functions from them. */
  queues: QueueSet
  mappings: readonly QueueMapping[]
}

/** A destination that names a queue rather than a function. */
export const QUEUE_DESTINATION = 'queue:'

type Counters = Omit<AsyncFunctionStats, 'depth' | 'oldestAgeMs'>

/** One schedule as `scheduleStats()` shows it. */
export interface ScheduleStats {
  functionName: string
  schedule: string
  enabled: boolean
  /** The rule's ARN, as the Scheduled Event's `resources` names it. */
  ruleArn: string
  /** Ticks this instance turned into an Event invocation. */
  ticks: number
  /** Ticks whose Event invocation could not be stored (a full queue, the store down). */
  failed: number
  /** When the last of those ticks fell due, ISO 8601, or `null`. */
  lastTickAt: string | null
}

/**
 * The asynchronous side of the service: accepts events into a store, pulls
 * them for each function as it has room, and applies Lambda's rules
 * (retries, maximum age, invocation records, destinations) to each outcome.
 */
export class EventQueue implements AsyncInvoker {
  readonly #settings: EventQueueSettings
  readonly #consumers = new Map<string, FunctionConsumer>()
  readonly #pollers: QueuePoller[] = []
  readonly #counters = new Map<string, Counters>()
  /** Config-file settings, then what the API set (kept in the store). */
  readonly #fileConfigs: Record<string, EventInvokeConfig>
  readonly #apiConfigs = new Map<string, EventInvokeConfigEntry>()
  /** Accepts on their way into the store, counted against the limits until they are in. */
  readonly #accepting = { events: 0, bytes: 0, perFunction: new Map<string, { events: number; bytes: number }>() }
  #schedules = new Map<string, { schedule: ResolvedSchedule; stats: ScheduleStats }>()
  #closing: Promise<boolean> | null = null
  #stopped = false

  constructor(settings: EventQueueSettings) {
    this.#settings = settings
    this.#fileConfigs = settings.functions
    for (const [name, entry] of Object.entries(settings.storedConfigs)) {
      if (settings.invoker.hasFunction(name)) this.#apiConfigs.set(name, entry)
    }
    for (const name of settings.invoker.functionNames()) {
      this.#counters.set(name, {
        received: 0,
        succeeded: 0,
        retried: 0,
        requeued: 0,
        dropped: { RetriesExhausted: 0, EventAgeExceeded: 0, ResourceNotFound: 0 },
      })
      this.#consumers.set(
        name,
        new FunctionConsumer({
          functionName: name,
          store: settings.store,
          invoker: settings.invoker,
          policy: () => this.#policy(name),
          apply: (report) => this.#apply(name, report),
          onError: (error) =>
            settings.logger({
              level: 'error',
              message: 'Event store failed',
              functionName: name,
              errorType: error instanceof Error ? error.name : typeof error,
              errorMessage: error instanceof Error ? error.message : String(error),
            }),
          fallbackConcurrency: settings.fallbackConcurrency,
          leaseMs: settings.leaseMs,
        }),
      )
    }
    for (const mapping of settings.mappings) {
      this.#pollers.push(
        new QueuePoller({
          mapping,
          queues: settings.queues,
          invoker: settings.invoker,
          region: settings.region,
          logger: settings.logger,
          fallbackConcurrency: settings.fallbackConcurrency,
        }),
      )
    }
  }

  /** The SQS-style queues: what the gateway's SQS API serves. */
  get queues(): QueueSet {
    return this.#settings.queues
  }

  /** Whether `target` can receive destination records: a function, or `queue:<name>` of a queue here. */
  isDestination(target: string): boolean {
    if (target.startsWith(QUEUE_DESTINATION))
      return this.#settings.queues.hasQueue(target.slice(QUEUE_DESTINATION.length))
    return this.#settings.invoker.hasFunction(target)
  }

  /** Where events are kept, for the start-up line. */
  get storeDescription(): string {
    return this.#settings.store.description
  }

  /**
   * Stores `event` for an asynchronous run of `name` and resolves with its
   * request id once it is kept (on a durable store: once it would survive a
   * crash). Then it runs as soon as the function has room, with Lambda's
   * retries; the handler may see it more than once.
   */
  invokeAsync(name: string, event?: unknown, options: { requestId?: string } = {}): Promise<string> {
    let payload: string
    try {
      payload = event === undefined ? 'null' : (JSON.stringify(event) ?? 'null')
    } catch (error) {
      return Promise.reject(
        serviceError(
          ErrorType.InvalidRequestContent,
          `Could not encode the event as JSON: ${(error as Error).message}`,
        ),
      )
    }
    return this.#accept(name, payload, options.requestId, false)
  }

  invokeAsyncRaw(name: string, payload: string, options: { requestId?: string } = {}): Promise<string> {
    return this.#accept(name, payload, options.requestId, true)
  }

  getEventInvokeConfig(name: string): EventInvokeConfigEntry | null {
    return this.#apiConfigs.get(name) ?? null
  }

  async setEventInvokeConfig(
    name: string,
    config: EventInvokeConfig,
    mode: 'replace' | 'merge',
  ): Promise<EventInvokeConfigEntry> {
    this.#assertFunction(name)
    const base = mode === 'merge' ? (this.#apiConfigs.get(name)?.config ?? this.#fileConfigs[name] ?? {}) : {}
    const merged: EventInvokeConfig = {
      ...base,
      ...config,
      destinations: { ...base.destinations, ...config.destinations },
    }
    const checked = checkEventInvokeConfig(merged, (target) => this.isDestination(target))
    if (!checked.ok) throw serviceError(ErrorType.InvalidParameterValue, checked.problems.join('; '))
    const entry: EventInvokeConfigEntry = { config: checked.config, lastModified: Date.now() }
    await this.#settings.store.saveConfig(name, entry)
    this.#apiConfigs.set(name, entry)
    return entry
  }

  async deleteEventInvokeConfig(name: string): Promise<boolean> {
    this.#assertFunction(name)
    if (!this.#apiConfigs.has(name)) return false
    await this.#settings.store.saveConfig(name, null)
    this.#apiConfigs.delete(name)
    return true
  }

  /** The settings in force for `name`: what the API set, else the config file's. */
  effectiveConfig(name: string): EventInvokeConfig {
    return this.#apiConfigs.get(name)?.config ?? this.#fileConfigs[name] ?? {}
  }

  /**
   * Replaces the schedules: from now on each tick of an enabled one is an
   * `Event` invocation of its function, with the Scheduled Event (or the
   * schedule's `input`) as the event. On a store several instances share,
   * each tick fires once in all, and the list given here is the store's:
   * a schedule another instance set and this list lacks is removed.
   * Rejects with a TypeError listing every problem of the list.
   */
  async setSchedules(list: readonly ScheduleOptions[]): Promise<void> {
    const resolved = resolveSchedules(list, (name) => this.#settings.invoker.hasFunction(name))
    if (!resolved.ok) throw new TypeError(`Invalid schedules: ${resolved.problems.join('; ')}`)
    const ruleArnPrefix = `arn:aws:events:${this.#settings.region}:${this.#settings.accountId}:rule/`
    this.#schedules = new Map(
      resolved.schedules.map((schedule) => [
        schedule.name,
        {
          schedule,
          stats: {
            functionName: schedule.functionName,
            schedule: schedule.expression.text,
            enabled: schedule.enabled,
            ruleArn: `${ruleArnPrefix}${schedule.name}`,
            ticks: 0,
            failed: 0,
            lastTickAt: null,
          },
        },
      ]),
    )
    const enabled = resolved.schedules.filter((schedule) => schedule.enabled)
    await this.#settings.store.startSchedules(
      enabled.map((schedule) => ({ id: schedule.name, expression: schedule.expression })),
      (tick) => this.#tick(tick),
    )
  }

  /** Per schedule (by rule name): what it is and how many ticks this instance fired. */
  scheduleStats(): Record<string, ScheduleStats> {
    return Object.fromEntries([...this.#schedules].map(([name, { stats }]) => [name, { ...stats }]))
  }

  /** Per function: received, succeeded, retried, requeued, dropped by reason, depth, the oldest event's age. */
  stats(): AsyncStats {
    return this.asyncStats()
  }

  asyncStats(): AsyncStats {
    const functions: AsyncStats['functions'] = {}
    const now = Date.now()
    for (const [name, counters] of this.#counters) {
      const usage = this.#settings.store.usage(name)
      functions[name] = {
        ...counters,
        dropped: { ...counters.dropped },
        depth: usage.events,
        oldestAgeMs: usage.oldestAcceptedAt === null ? 0 : Math.max(0, now - usage.oldestAcceptedAt),
      }
    }
    const schedules: NonNullable<AsyncStats['schedules']> = {}
    for (const [name, { stats }] of this.#schedules) {
      schedules[name] = { functionName: stats.functionName, ticks: stats.ticks, failed: stats.failed }
    }
    return { functions, schedules, queues: this.#settings.queues.counts(), store: this.#settings.store.description }
  }

  /**
   * Stops taking events, lets the runs in flight finish for up to
   * `drainTimeoutMs`, and closes the store. Whatever was not finished stays
   * in it for the next start. Resolves `true` when every run finished.
   */
  close(drainTimeoutMs = 10_000): Promise<boolean> {
    this.#closing ??= (async () => {
      this.#settings.queues.close()
      const stopped = await Promise.all([
        ...[...this.#consumers.values()].map((consumer) => consumer.stop(drainTimeoutMs)),
        ...this.#pollers.map((poller) => poller.stop(drainTimeoutMs)),
      ])
      this.#stopped = true
      await this.#settings.store.close()
      return stopped.every(Boolean)
    })()
    return this.#closing
  }

  async #tick(tick: Tick): Promise<void> {
    const entry = this.#schedules.get(tick.scheduleId)
    if (entry === undefined || this.#closing !== null) return
    const { schedule, stats } = entry
    // Derived from the rule and the tick: a tick offered twice (a shared
    // store's redelivery) is the same event, which the store holds once.
    const id = derivedId('schedule', stats.ruleArn, String(tick.at))
    const { region, accountId, logger } = this.#settings
    const payload = schedule.input ?? scheduledEvent({ id, at: tick.at, region, accountId, ruleArn: stats.ruleArn })
    try {
      await this.#accept(schedule.functionName, payload, id, false)
    } catch (error) {
      stats.failed++
      logger({
        level: 'error',
        message: `Schedule ${schedule.name} (${schedule.expression.text}) could not invoke ${schedule.functionName}`,
        functionName: schedule.functionName,
        requestId: id,
        errorType: isLambdaError(error) ? error.errorType : (error as Error).name,
        errorMessage: (error as Error).message,
      })
      throw error
    }
    stats.ticks++
    stats.lastTickAt = new Date(tick.at).toISOString()
  }

  async #accept(name: string, payload: string, requestId: string | undefined, validate: boolean): Promise<string> {
    if (this.#closing !== null) throw serviceError(ErrorType.ServiceUnavailable, 'The event queue is shutting down')
    this.#assertFunction(name)
    const bytes = Buffer.byteLength(payload)
    if (bytes > MAX_ASYNC_PAYLOAD_BYTES) {
      throw serviceError(
        ErrorType.RequestTooLarge,
        `Request must be smaller than ${MAX_ASYNC_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
      )
    }
    if (validate) {
      try {
        JSON.parse(payload)
      } catch (error) {
        throw serviceError(
          ErrorType.InvalidRequestContent,
          `Could not parse request body into json: ${(error as Error).message}`,
        )
      }
    }
    this.#reserve(name, bytes)
    const id = requestId ?? randomUUID()
    try {
      await this.#settings.store.enqueue([{ id, functionName: name, payload, acceptedAt: Date.now() }])
    } catch (error) {
      throw isLambdaError(error)
        ? error
        : serviceError(ErrorType.ServiceUnavailable, `The event was not stored: ${(error as Error).message}`)
    } finally {
      this.#release(name, bytes)
    }
    const counters = this.#counters.get(name)
    if (counters !== undefined) counters.received++
    return id
  }

  /** Counts an accept against the limits, or refuses it with a throttle. */
  #reserve(name: string, bytes: number): void {
    const { limits, store } = this.#settings
    const own = this.#accepting.perFunction.get(name) ?? { events: 0, bytes: 0 }
    const usage = store.usage(name)
    let totalEvents = this.#accepting.events
    let totalBytes = this.#accepting.bytes
    for (const other of this.#counters.keys()) {
      const held = store.usage(other)
      totalEvents += held.events
      totalBytes += held.bytes
    }
    const full =
      usage.events + own.events + 1 > limits.maxEventsPerFunction
        ? `${limits.maxEventsPerFunction} events for ${name}`
        : usage.bytes + own.bytes + bytes > limits.maxBytesPerFunction
          ? `${limits.maxBytesPerFunction} bytes for ${name}`
          : totalEvents + 1 > limits.maxEvents
            ? `${limits.maxEvents} events in all`
            : totalBytes + bytes > limits.maxBytes
              ? `${limits.maxBytes} bytes in all`
              : null
    if (full !== null) {
      throw serviceError(ErrorType.TooManyRequests, `The asynchronous event queue is full (${full}); retry later`, {
        reason: 'AsyncEventQueueFull',
      })
    }
    own.events++
    own.bytes += bytes
    this.#accepting.perFunction.set(name, own)
    this.#accepting.events++
    this.#accepting.bytes += bytes
  }

  #release(name: string, bytes: number): void {
    const own = this.#accepting.perFunction.get(name)
    if (own !== undefined) {
      own.events--
      own.bytes -= bytes
    }
    this.#accepting.events--
    this.#accepting.bytes -= bytes
  }

  #policy(name: string): AsyncPolicy {
    const { retryDelaysMs, throttleBackoffMs } = this.#settings
    return resolvePolicy(this.effectiveConfig(name), { retryDelaysMs, throttleBackoffMs })
  }

  async #apply(name: string, report: StepReport): Promise<void> {
    if (this.#stopped) {
      // Past the drain timeout the store is closed: the event is left as it
      // is and runs again at the next start.
      return
    }
    const { store, logger } = this.#settings
    const { lease, step, result } = report
    const counters = this.#counters.get(name) as Counters
    const { event } = lease
    const policy = this.#policy(name)
    if (step.action === 'retry') {
      if (step.cause === 'function-error') {
        counters.retried++
        logger({
          level: 'warn',
          message: `Event invocation failed; retry ${step.invokeCount} of ${policy.maximumRetryAttempts} in ${step.runAt - Date.now()} ms`,
          functionName: name,
          requestId: event.id,
          errorType: errorTypeOf(result),
        })
      } else {
        counters.requeued++
      }
      await store.retryLater(lease, step.runAt, { invokeCount: step.invokeCount, throttles: step.throttles })
      return
    }
    const destination = step.action === 'succeed' ? policy.onSuccess : policy.onFailure
    const next: NewEvent[] = []
    const sendRecord = destination !== undefined && !(step.action === 'drop' && step.condition === 'ResourceNotFound')
    if (sendRecord) {
      // Derived, not random: a source event run again after a crash
      // between storing its record and finishing it (a shared store) gives
      // the same id, which the store enqueues once.
      const id = derivedId(event.id, step.action === 'succeed' ? 'Success' : step.condition)
      const record = invocationRecord({
        requestId: event.id,
        functionArn: `${this.#settings.functionArnPrefix}${name}`,
        condition: step.action === 'succeed' ? 'Success' : (step.condition as 'RetriesExhausted' | 'EventAgeExceeded'),
        approximateInvokeCount: step.invokeCount,
        requestPayload: event.payload,
        response: result,
        timestamp: new Date(),
      })
      const target = destination as string
      next.push(
        target.startsWith(QUEUE_DESTINATION)
          ? this.#settings.queues.destinationEvent(target.slice(QUEUE_DESTINATION.length), id, record)
          : { id, functionName: target, acceptedAt: Date.now(), payload: record },
      )
    }
    if (step.action === 'succeed') {
      await store.ack(lease, next)
      counters.succeeded++
      return
    }
    await store.deadLetter(lease, step.condition, next)
    counters.dropped[step.condition]++
    logger({
      level: 'error',
      message:
        destination === undefined
          ? `Event dropped (${step.condition}) after ${step.invokeCount} run(s); no onFailure destination`
          : `Event dropped (${step.condition}) after ${step.invokeCount} run(s); record sent to ${destination}`,
      functionName: name,
      requestId: event.id,
      errorType:
        result !== undefined ? errorTypeOf(result) : isLambdaError(report.error) ? report.error.errorType : undefined,
    })
  }

  #assertFunction(name: string): void {
    if (!this.#settings.invoker.hasFunction(name)) {
      throw serviceError(ErrorType.ResourceNotFound, `Function not found: ${this.#settings.functionArnPrefix}${name}`)
    }
  }
}

/** A UUID-shaped id that depends only on its inputs. */
function derivedId(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\0')).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}

function errorTypeOf(
  result: { payload: string; functionError: boolean; errorType?: string } | undefined,
): string | undefined {
  if (result === undefined || !result.functionError) return undefined
  return result.errorType
}
