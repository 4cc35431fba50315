export type {
  AsyncFunctionStats,
  AsyncInvoker,
  AsyncScheduleStats,
  AsyncStats,
  EventInvokeConfigEntry,
} from './async-invoker.js'
export type { ErrorShape, KnownErrorType } from './errors.js'
export {
  ErrorType,
  isLambdaError,
  LambdaError,
  serviceError,
  serviceErrorStatus,
  toErrorShape,
} from './errors.js'
export type { ConfigCheck, EventInvokeConfig } from './event-invoke-config.js'
export {
  checkEventInvokeConfig,
  EVENT_AGE_SECONDS_RANGE,
  RETRY_ATTEMPTS_RANGE,
} from './event-invoke-config.js'
export type { HandlerSpec } from './handler-spec.js'
export { parseHandler } from './handler-spec.js'
export type {
  DurationHistogram,
  FunctionStats,
  HostStats,
  InvokeOptions,
  Invoker,
  LogType,
  RawInvokeResult,
} from './invoker.js'
export {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_REGION,
  FUNCTION_NAME_PATTERN,
  functionArn,
  LATEST_VERSION,
  logGroupName,
} from './lambda-names.js'
export { MAX_ASYNC_PAYLOAD_BYTES, MAX_MESSAGE_BYTES, MAX_PAYLOAD_BYTES, TAIL_LOG_BYTES } from './limits.js'
export type {
  MessageAttributeValue,
  MessageQueues,
  OutgoingMessage,
  QueueErrorCode,
  ReceivedMessage,
  ReceiveOptions,
  SentMessage,
} from './message-queues.js'
export { isQueueError, QueueError } from './message-queues.js'
export type {
  ClientContext,
  CognitoIdentity,
  CrashMessage,
  ErrorMessage,
  HostMessage,
  InitErrorMessage,
  InvokeMessage,
  LogLevel,
  LogLine,
  LogMessage,
  NextMessage,
  ResponseMessage,
  RuntimeConfig,
  RuntimeMessage,
  StartedMessage,
} from './messages.js'
export type { ServiceLogger, ServiceLogRecord } from './service-log.js'
export type {
  StreamCancelMessage,
  StreamChunkMessage,
  StreamCreditMessage,
  StreamEndMessage,
  StreamHostMessage,
  StreamRuntimeMessage,
  StreamStartMessage,
} from './stream-messages.js'
export { DEFAULT_STREAM_CONTENT_TYPE, HTTP_INTEGRATION_CONTENT_TYPE, MAX_STREAM_BYTES } from './stream-messages.js'
export type { StreamCompletion, StreamingInvokeResult } from './streaming.js'
