/**
 * The runtime protocol: what crosses the MessagePort between the host (the
 * Lambda service's role) and the runtime loop inside a worker thread (the
 * Lambda runtime's role). It mirrors the Lambda Runtime API: the runtime
 * pulls (`next`), the host answers with one `invoke`, the runtime reports
 * `response` or `error` and, in the same message, asks for the next event.
 */
import type { ErrorShape } from './errors.js'
import type { StreamHostMessage, StreamRuntimeMessage } from './stream-messages.js'

/** How a callback-style or async handler's caller identity looks (Cognito). */
export interface CognitoIdentity {
  cognitoIdentityId: string
  cognitoIdentityPoolId: string
}

/** The decoded `X-Amz-Client-Context` (mobile SDK client context). */
export interface ClientContext {
  client?: Record<string, unknown>
  custom?: Record<string, unknown>
  env?: Record<string, unknown>
  [key: string]: unknown
}

// ── runtime → host ───────────────────────────────────────────────────────────

/**
 * The runtime is running in its thread, before it loads the user module. A
 * host that destroys an environment knows from this whether a thread exists
 * to wait for, and the environment starts initialising from it.
 */
export interface StartedMessage {
  type: 'started'
}

/** The runtime is initialised and waits for its first event (the long-poll). */
export interface NextMessage {
  type: 'next'
  /** How long loading the user module took, in milliseconds. */
  initDurationMs: number
  /** JS heap in use after init, in bytes. */
  heapUsedBytes: number
}

/**
 * The invocation succeeded. `body` is the result as JSON text. The message
 * also means "next": the runtime is waiting for its next event, so the host
 * can hand this environment another event without a second round trip.
 */
export interface ResponseMessage {
  type: 'response'
  requestId: string
  body: string
  heapUsedBytes: number
  /** The function's own time, measured in the runtime: from the event's arrival to its result (REPORT's Duration). */
  durationMs: number
}

/** The invocation failed with a function error; also means "next". */
export interface ErrorMessage {
  type: 'error'
  requestId: string
  error: ErrorShape
  heapUsedBytes: number
  /** As in `ResponseMessage`. */
  durationMs: number
  /**
   * The event was not valid JSON, so the handler never ran. The host answers
   * the caller with `InvalidRequestContentException` instead of a function
   * error.
   */
  invalidEvent?: true
}

/** Loading the user module failed: the environment cannot serve. */
export interface InitErrorMessage {
  type: 'init-error'
  error: ErrorShape
  initDurationMs: number
}

/**
 * Something escaped the handler (an uncaught exception in a timer, an
 * unhandled rejection). The environment is no longer trusted: the host fails
 * the in-flight invocation with `error` (if there is one) and destroys it.
 */
export interface CrashMessage {
  type: 'crash'
  requestId: string | null
  error: ErrorShape
}

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL'

/** One line a function logged. */
export interface LogLine {
  /** Epoch milliseconds when the function logged it. */
  time: number
  level: LogLevel
  /**
   * A `console.*` call in the text format: its formatted arguments, which the
   * host lays out as `time\trequestId\tLEVEL\tmessage`. With `raw`, the
   * whole line as the function wrote it: to `process.stdout` or
   * `process.stderr` directly, or a `console.*` call in the JSON format.
   */
  message: string
  raw?: true
}

/**
 * Lines the function logged, batched in the worker (a message per line
 * would flood the host's thread), all from one invocation, in order.
 */
export interface LogMessage {
  type: 'log'
  requestId: string | null
  lines: LogLine[]
}

export type RuntimeMessage =
  | StartedMessage
  | NextMessage
  | ResponseMessage
  | ErrorMessage
  | InitErrorMessage
  | CrashMessage
  | LogMessage
  | StreamRuntimeMessage

// ── host → runtime ───────────────────────────────────────────────────────────

/**
 * One event for the runtime. Fields that are the same for every invocation
 * (the function's ARN) travel once, in `RuntimeConfig`; optional fields are
 * left out when unset, because every property costs on the hot path's
 * structured clone.
 */
export interface InvokeMessage {
  type: 'invoke'
  requestId: string
  /** Epoch milliseconds at which the invocation times out. */
  deadlineMs: number
  traceId?: string
  clientContext?: ClientContext
  identity?: CognitoIdentity
  /** The event as JSON text; the runtime parses it. */
  event: string
}

/**
 * Everything the host sends. There is no graceful shutdown message: the host
 * ends an environment by terminating what runs it, so that a later cold
 * start really gets fresh module state.
 */
export type HostMessage = InvokeMessage | StreamHostMessage

// ── the worker's start-up data ───────────────────────────────────────────────

/** What the host gives the runtime when it starts an environment. */
export interface RuntimeConfig {
  functionName: string
  invokedFunctionArn: string
  functionVersion: string
  /** Absolute paths to try for the user module, in order. */
  moduleCandidates: string[]
  /** The export that is the handler (`handler` unless configured); dotted for nested. */
  exportName: string
  /** The handler string as configured, for error messages (`index.handler`). */
  handlerName: string
  memoryLimitInMB: number
  logGroupName: string
  logStreamName: string
  /** `AWS_LAMBDA_LOG_FORMAT`: how `console.*` lines look, Lambda's text or JSON lines. */
  logFormat: 'Text' | 'JSON'
  /** `AWS_LAMBDA_LOG_LEVEL`: `console.*` calls below it are dropped in the worker. */
  logLevel: LogLevel
  /** Bytes of log lines one invocation may send; past them lines are dropped and counted. */
  logBudgetBytes: number
  /** Map stack traces through source maps (a handler the host bundled from TypeScript). */
  sourceMaps?: boolean
}
