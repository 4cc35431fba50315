import type { EventInvokeConfig, Invoker } from '@lambdalet/protocol'
import { checkEventInvokeConfig } from '@lambdalet/protocol'
import { DEFAULT_RETRY_DELAYS_MS, DEFAULT_THROTTLE_BACKOFF_MS } from './async-policy.js'
import { type EventLogger, stderrLogger } from './event-logger.js'
import { EventQueue, QUEUE_DESTINATION } from './event-queue.js'
import { mappingProblems, type QueueMapping } from './mapping-settings.js'
import { openStore, type StoreSpec } from './open-store.js'
import { DEFAULT_LIMITS, DEFAULT_MEMORY_LIMITS, type QueueLimits } from './queue-limits.js'
import { QueueSet } from './queue-set.js'
import { type QueueSettings, queueNameProblem, queueSettingsProblems } from './queue-settings.js'
import { resolveSchedules, type ScheduleOptions } from './schedule-options.js'

export interface EventQueueOptions {
  /** Runs the events: the host, or anything implementing `Invoker`. */
  invoker: Invoker
  /** A directory (embedded, durable; the default is `.lambdalet`), `memory`, `redis://…`, or an `EventStore`. */
  store?: StoreSpec
  /** Per function: `maximumRetryAttempts`, `maximumEventAgeInSeconds`, `destinations`. */
  functions?: Record<string, EventInvokeConfig>
  /** The waits before the first and the second retry after a function error; default `[60000, 120000]`. */
  retryDelaysMs?: readonly [number, number]
  /** Backoff for throttles and service errors; default `{ initial: 1000, max: 300000 }`. */
  throttleBackoffMs?: { initial: number; max: number }
  /** What the store may hold before `Event` invocations are refused with 429. */
  limits?: Partial<QueueLimits>
  logger?: EventLogger
  region?: string
  accountId?: string
  /** How long a claimed event is this instance's alone on a shared store; renewed while it runs. */
  leaseMs?: number
  /** Events run at once per function when the invoker cannot say how much room it has; default 10. */
  concurrency?: number
  /** SQS-style standard queues by name, on the same store; more can be made with CreateQueue. */
  queues?: Record<string, QueueSettings>
  /** Event source mappings: functions fed in batches from those queues. */
  mappings?: QueueMapping[]
  /** What a queue may hold before SendMessage is refused: default 100,000 messages and 256 MiB. */
  maxMessagesPerQueue?: number
  maxBytesPerQueue?: number
  /** Queues in all, from the config and CreateQueue; default 1,000. */
  maxQueues?: number
  /** EventBridge schedules: each tick is an `Event` invocation of a function (see `EventQueue.setSchedules`). */
  schedules?: readonly ScheduleOptions[]
}

/**
 * Opens the store and starts pulling events for every function of the
 * invoker. Rejects with a one-line Error when the store cannot be opened
 * (a locked directory, an unreachable Redis).
 */
export async function createEventQueue(options: EventQueueOptions): Promise<EventQueue> {
  const { invoker } = options
  const functions = options.functions ?? {}
  const queues = options.queues ?? {}
  const mappings = options.mappings ?? []
  const problems: string[] = []
  const isQueue = (name: string): boolean => Object.hasOwn(queues, name)
  for (const [name, settings] of Object.entries(queues)) {
    const problem = queueNameProblem(name)
    if (problem !== null) problems.push(`queues.${name}: ${problem}`)
    problems.push(...queueSettingsProblems(settings, isQueue).map((p) => `queues.${name}.${p}`))
  }
  mappings.forEach((mapping, index) => {
    const { functionName, queue, ...rest } = mapping
    if (!invoker.hasFunction(functionName))
      problems.push(`mappings[${index}].functionName: not a function of the invoker`)
    problems.push(...mappingProblems({ sqs: queue, ...rest }, isQueue).map((p) => `mappings[${index}].${p}`))
  })
  const isDestination = (target: string): boolean =>
    target.startsWith(QUEUE_DESTINATION) ? isQueue(target.slice(QUEUE_DESTINATION.length)) : invoker.hasFunction(target)
  for (const [name, config] of Object.entries(functions)) {
    if (!invoker.hasFunction(name)) problems.push(`functions.${name}: not a function of the invoker`)
    const checked = checkEventInvokeConfig(config, isDestination)
    if (!checked.ok) problems.push(...checked.problems.map((problem) => `functions.${name}.${problem}`))
  }
  const retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS
  if (!Array.isArray(retryDelaysMs) || retryDelaysMs.length !== 2 || !retryDelaysMs.every(isNonNegativeInteger)) {
    problems.push(`retryDelaysMs: expected two non-negative integers (ms), got ${JSON.stringify(retryDelaysMs)}`)
  }
  const throttleBackoffMs = options.throttleBackoffMs ?? DEFAULT_THROTTLE_BACKOFF_MS
  if (
    !isPositiveInteger(throttleBackoffMs.initial) ||
    !isPositiveInteger(throttleBackoffMs.max) ||
    throttleBackoffMs.max < throttleBackoffMs.initial
  ) {
    problems.push(
      `throttleBackoffMs: expected { initial, max } positive integers with max ≥ initial, got ${JSON.stringify(throttleBackoffMs)}`,
    )
  }
  const schedules = options.schedules ?? []
  const checkedSchedules = resolveSchedules(schedules, (name) => invoker.hasFunction(name))
  if (!checkedSchedules.ok) problems.push(...checkedSchedules.problems)
  if (problems.length > 0) throw new TypeError(`Invalid event queue options: ${problems.join('; ')}`)

  const spec = options.store ?? '.lambdalet'
  const leaseMs = options.leaseMs ?? 30_000
  const store = await openStore(spec, { leaseMs })
  try {
    const defaults = spec === 'memory' ? DEFAULT_MEMORY_LIMITS : DEFAULT_LIMITS
    const region = options.region ?? 'us-east-1'
    const accountId = options.accountId ?? '000000000000'
    const queueSet = new QueueSet({
      store,
      queues,
      region,
      accountId,
      maxMessagesPerQueue: options.maxMessagesPerQueue ?? 100_000,
      maxBytesPerQueue: options.maxBytesPerQueue ?? 256 * 1024 * 1024,
      maxQueues: options.maxQueues ?? 1000,
    })
    const queue = new EventQueue({
      invoker,
      store,
      functions,
      retryDelaysMs,
      throttleBackoffMs,
      limits: { ...defaults, ...options.limits },
      logger: options.logger ?? stderrLogger,
      functionArnPrefix: `arn:aws:lambda:${region}:${accountId}:function:`,
      region,
      accountId,
      fallbackConcurrency: options.concurrency ?? 10,
      leaseMs,
      storedConfigs: await store.loadConfigs(),
      queues: queueSet,
      mappings,
    })
    try {
      await queue.setSchedules(schedules)
    } catch (error) {
      await queue.close(0)
      throw error
    }
    return queue
  } catch (error) {
    await store.close()
    throw error
  }
}

function isNonNegativeInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value > 0
}
