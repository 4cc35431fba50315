import type { ClientContext, CognitoIdentity } from './messages.js'
import type { StreamingInvokeResult } from './streaming.js'

export type LogType = 'None' | 'Tail'

export interface InvokeOptions {
  /** `Tail` returns the last 4 KB of the invocation's log with the result. */
  logType?: LogType
  clientContext?: ClientContext
  identity?: CognitoIdentity
  /** X-Ray trace header, passed to the function as `_X_AMZN_TRACE_ID`. */
  traceId?: string
  /** Use this request id instead of a generated one (e.g. the gateway's). */
  requestId?: string
}

/**
 * The outcome of one invocation as raw JSON text. A function error is a
 * normal outcome here (`functionError: true`, `payload` is the
 * `{errorType, errorMessage, trace}` JSON), as the Invoke API reports it.
 */
export interface RawInvokeResult {
  requestId: string
  /** The result (or the function error) as JSON text. */
  payload: string
  functionError: boolean
  /** Set when `functionError` is true. */
  errorType?: string
  /** With `logType: 'Tail'`: the last 4 KB of the invocation's log, as text. */
  logResult?: string
  executedVersion: string
}

/** A latency histogram in Prometheus' cumulative-free form. */
export interface DurationHistogram {
  /** Upper bounds of the buckets, in milliseconds, ascending. */
  bounds: readonly number[]
  /** Observations per bucket; one more entry than `bounds` (the +Inf bucket). */
  counts: number[]
  sumMs: number
  count: number
}

export interface FunctionStats {
  environments: { starting: number; idle: number; busy: number; dying: number }
  invocations: number
  errors: number
  throttles: number
  timeouts: number
  coldStarts: number
  queue: { waiting: number; running: number }
  duration: DurationHistogram
}

export interface HostStats {
  functions: Record<string, FunctionStats>
  /** Invocations running now, all functions together. */
  concurrentExecutions: number
  /** Worker threads alive or still exiting. */
  threads: number
  closing: boolean
}

/**
 * What the gateway needs from whatever runs functions. The host implements
 * it; the gateway depends on this interface, never on the host.
 *
 * `invokeRaw` resolves for successes and function errors, and rejects with a
 * `LambdaError` carrying a `statusCode` for service errors
 * (`ResourceNotFoundException`, `TooManyRequestsException`, …).
 */
export interface Invoker {
  invokeRaw(name: string, payload: string, options?: InvokeOptions): Promise<RawInvokeResult>
  hasFunction(name: string): boolean
  functionNames(): string[]
  stats(): HostStats
  /**
   * How many more invocations of `name` would start now, without waiting in
   * the function's queue: 0 when it is at its concurrency limit (its own or
   * the host's) or closing. The asynchronous side takes an event off its
   * store only while this is positive, so that a full function is not
   * handed work it would throttle (the pull model). Optional: an invoker
   * without it is treated as always having room, and its throttles are
   * retried.
   */
  room?(name: string): number
  /**
   * The response-streaming call (`InvokeWithResponseStream`, streaming
   * routes): resolves when the response begins, with the stream of a
   * `streamifyResponse` handler or the whole result of any other. Rejects
   * like `invokeRaw` for service errors. Optional: without it, callers fall
   * back to `invokeRaw` and send every result whole.
   */
  invokeStreamRaw?(name: string, payload: string, options?: InvokeOptions): Promise<StreamingInvokeResult>
}
