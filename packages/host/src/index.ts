export {
  type ErrorShape,
  ErrorType,
  type FunctionStats,
  type HostStats,
  type InvokeOptions,
  type Invoker,
  isLambdaError,
  LambdaError,
  type RawInvokeResult,
} from '@lambdalet/protocol'
export { createHost, Host } from './host.js'
export type { InvokeStreamResult } from './invoke-stream.js'
export { LineWriter, type LineWriterOptions, stderrLines, stdoutLines } from './line-writer.js'
export type { HostLogLevel, LogEntry, Report } from './log-entry.js'
export { HOST_LOG_LEVELS, reportLine } from './log-entry.js'
export type { FunctionOptions, HostOptions, LogOptions, LogSink } from './options.js'
