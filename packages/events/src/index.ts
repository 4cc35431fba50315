export { DEFAULT_RETRY_DELAYS_MS, DEFAULT_THROTTLE_BACKOFF_MS } from './async-policy.js'
export { batchOutcome } from './batch-response.js'
export type { EventQueueOptions } from './create-event-queue.js'
export { createEventQueue } from './create-event-queue.js'
export { createEmbeddedStore } from './embedded-store.js'
export type { EventLogger, EventLogRecord } from './event-logger.js'
export type { ScheduleStats } from './event-queue.js'
export { EventQueue, QUEUE_DESTINATION } from './event-queue.js'
export type {
  ClaimOptions,
  EventStore,
  Lease,
  NewEvent,
  QueuedEvent,
  StoredSchedule,
  StoreUsage,
  Tick,
} from './event-store.js'
export { LeaseLostError } from './event-store.js'
export type { QueueMapping } from './mapping-settings.js'
export { MAPPING_RANGES, mappingProblems } from './mapping-settings.js'
export { createMemoryStore } from './memory-store.js'
export type { StoreKind, StoreSpec } from './open-store.js'
export { openStore, storeKind } from './open-store.js'
export type { QueueLimits } from './queue-limits.js'
export { DEFAULT_LIMITS, DEFAULT_MEMORY_LIMITS } from './queue-limits.js'
export type { QueueSet, Receipt } from './queue-set.js'
export type { QueueSettings } from './queue-settings.js'
export { QUEUE_RANGES, queueNameProblem, queueSettingsProblems } from './queue-settings.js'
export type { ParsedExpression, ScheduleExpression } from './schedule-expression.js'
export { parseScheduleExpression } from './schedule-expression.js'
export type { ScheduleOptions } from './schedule-options.js'
export { isRuleName, MAX_SCHEDULE_INPUT_CHARS } from './schedule-options.js'
