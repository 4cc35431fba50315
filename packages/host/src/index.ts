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
export type { LogEntry, Report } from './log-entry.js'
export { reportLine } from './log-entry.js'
export type { FunctionOptions, HostOptions } from './options.js'
