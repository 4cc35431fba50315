export type {
  ClientContext,
  CognitoIdentity,
  CrashMessage,
  ErrorMessage,
  HostMessage,
  InitErrorMessage,
  InvokeMessage,
  LogLevel,
  LogMessage,
  NextMessage,
  ResponseMessage,
  RuntimeConfig,
  RuntimeMessage,
  StartedMessage,
} from './messages.js'
export {
  ErrorType,
  LambdaError,
  isLambdaError,
  serviceError,
  serviceErrorStatus,
  toErrorShape,
} from './errors.js'
export type { ErrorShape, KnownErrorType } from './errors.js'
export type {
  DurationHistogram,
  FunctionStats,
  HostStats,
  InvokeOptions,
  Invoker,
  LogType,
  RawInvokeResult,
} from './invoker.js'
export { MAX_PAYLOAD_BYTES, MAX_ASYNC_PAYLOAD_BYTES, TAIL_LOG_BYTES } from './limits.js'
export { parseHandler } from './handler-spec.js'
export type { HandlerSpec } from './handler-spec.js'
export {
  EVENT_AGE_SECONDS_RANGE,
  RETRY_ATTEMPTS_RANGE,
  checkEventInvokeConfig,
} from './event-invoke-config.js'
export type { ConfigCheck, EventInvokeConfig } from './event-invoke-config.js'
export type { AsyncFunctionStats, AsyncInvoker, AsyncStats, EventInvokeConfigEntry } from './async-invoker.js'
export {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_REGION,
  FUNCTION_NAME_PATTERN,
  LATEST_VERSION,
  functionArn,
  logGroupName,
} from './lambda-names.js'
