import type { IQueueBackend, Job, JobProgress, Queue, QueueOptions, Worker, WorkerOptions } from 'bullmq'

export type AnyQueue = Queue<any, any, string, any, any, string, IQueueBackend, unknown>
export type AnyWorker = Worker<any, any, string, IQueueBackend, JobProgress, unknown>

/** What the store sets on a queue or worker; the backend adds the connection and its namespace. */
export type LaneQueueOptions = Omit<QueueOptions, 'connection' | 'prefix'>
export type LaneWorkerOptions = Omit<WorkerOptions, 'connection' | 'prefix'>

export interface IndexEntry {
  id: string
  acceptedAt: number
  bytes: number
}

/**
 * What the BullMQ store needs from the datastore under BullMQ: queues and
 * workers built on it, plus the small bookkeeping BullMQ has no cheap query
 * for (the usage index and the event-invoke-configs). One per store; Redis
 * and PostgreSQL each have one, and everything else is shared.
 */
export interface BullmqBackend {
  /** The URL without its password, printed at start. */
  readonly description: string
  /**
   * Whether `moveToDelayed` writes `fieldsToUpdate.data` in the same step
   * that checks the lock (Redis). BullMQ 6.7's PostgreSQL backend ignores
   * `data` there, so the store writes it first, while it still holds the lock.
   */
  readonly delayWritesData: boolean
  queue(name: string, options: LaneQueueOptions): AnyQueue
  /** Without a processor, a worker for manual fetching; with one, BullMQ runs it. */
  worker(name: string, options: LaneWorkerOptions, processor?: (job: Job) => Promise<unknown>): AnyWorker
  /** Functions with an index, so a new store knows their usage from the start. */
  indexedFunctions(): Promise<string[]>
  /** Idempotent: an id already indexed changes nothing. */
  indexAdd(functionName: string, entries: readonly IndexEntry[]): Promise<void>
  /** Idempotent: an id not indexed changes nothing. */
  indexRemove(functionName: string, ids: readonly string[]): Promise<void>
  indexBytes(functionName: string): Promise<number>
  indexOldest(functionName: string): Promise<{ id: string; acceptedAt: number } | null>
  /** Event-invoke-configs as JSON text, by function. */
  loadConfigs(): Promise<Record<string, string>>
  saveConfig(functionName: string, json: string | null): Promise<void>
  /** After every queue and worker is closed. */
  close(): Promise<void>
}

export interface BackendOptions {
  url: string
  prefix: string
  connectTimeoutMs: number
  onError: (error: Error) => void
}

/** A connection error as one line; Node's dual-stack connect throws an AggregateError with no message of its own. */
export function errorLine(error: unknown): string {
  const inner = error instanceof AggregateError && error.message === '' ? error.errors[0] : error
  const message =
    inner instanceof Error ? inner.message || (inner as NodeJS.ErrnoException).code || inner.name : String(inner)
  return message.replace(/\s*\n\s*/g, ' ')
}
