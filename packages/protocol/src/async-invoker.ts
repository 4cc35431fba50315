import type { EventInvokeConfig } from './event-invoke-config.js'

/** A function's asynchronous counters, as `/metrics` reports them. */
export interface AsyncFunctionStats {
  /** Events accepted (Lambda's AsyncEventsReceived). */
  received: number
  /** Events whose run ended in success. */
  succeeded: number
  /** Retries scheduled after a function error. */
  retried: number
  /** Times an event went back to the queue because the function was throttled or the service failed. */
  requeued: number
  /** Events dropped without a success (AsyncEventsDropped), by condition. */
  dropped: { RetriesExhausted: number; EventAgeExceeded: number; ResourceNotFound: number }
  /** Events accepted and not yet finished, running ones included. */
  depth: number
  /** Age of the oldest of them, in ms (AsyncEventAge); 0 when there is none. */
  oldestAgeMs: number
}

/** A schedule's counters on this instance, as `/metrics` reports them. */
export interface AsyncScheduleStats {
  functionName: string
  /** Ticks turned into an `Event` invocation. */
  ticks: number
  /** Ticks whose invocation could not be stored (a full queue, the store down). */
  failed: number
}

export interface AsyncStats {
  functions: Record<string, AsyncFunctionStats>
  /** SQS-style queues: messages that can be received now, and those received and not yet deleted. */
  queues?: Record<string, { visible: number; inFlight: number }>
  /** By rule name; absent or empty without schedules. */
  schedules?: Record<string, AsyncScheduleStats>
  /** Where events are kept: `memory`, an embedded directory, `redis://…`. */
  store: string
}

/** A stored config with the time the API last changed it. */
export interface EventInvokeConfigEntry {
  config: EventInvokeConfig
  /** Milliseconds since the epoch. */
  lastModified: number
}

/**
 * What the gateway needs from the asynchronous side: accept an `Event`
 * invocation once it is stored, and read and change the
 * event-invoke-config. `@lambdalet/events` implements it.
 */
export interface AsyncInvoker {
  /**
   * Stores an event (JSON text) for `name` and resolves with its request id
   * once it is durable. Rejects with a `LambdaError` carrying a `statusCode`:
   * `ResourceNotFoundException`, `TooManyRequestsException` when the store
   * is full, `ServiceException` when the store failed or is closing.
   */
  invokeAsyncRaw(name: string, payload: string, options?: { requestId?: string }): Promise<string>
  getEventInvokeConfig(name: string): EventInvokeConfigEntry | null
  /** `replace` is PutFunctionEventInvokeConfig, `merge` is Update…; resolves once kept. */
  setEventInvokeConfig(
    name: string,
    config: EventInvokeConfig,
    mode: 'replace' | 'merge',
  ): Promise<EventInvokeConfigEntry>
  /** Resolves `false` when there was none. */
  deleteEventInvokeConfig(name: string): Promise<boolean>
  asyncStats(): AsyncStats
}
