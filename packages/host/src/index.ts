export { createHost, Host } from './host.js'
export type { FunctionOptions, HostOptions } from './options.js'
export type { LogEntry, Report } from './log-entry.js'
export { reportLine } from './log-entry.js'
export {
  ErrorType,
  LambdaError,
  isLambdaError,
  type ErrorShape,
  type FunctionStats,
  type HostStats,
  type InvokeOptions,
  type Invoker,
  type RawInvokeResult,
} from '@lambdalet/protocol'
