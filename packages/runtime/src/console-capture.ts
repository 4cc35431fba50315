import { format } from 'node:util'
import type { ErrorShape, LogLevel, RuntimeConfig } from '@lambdalet/protocol'
import type { LogBatch } from './log-batch.js'
import { levelPriority as priority } from './log-levels.js'

/** The function's `console`, as the Lambda Node.js runtime patches it. */
export interface FunctionLog {
  /** One `console.*` call: dropped below the function's log level, else formatted and sent. */
  log(level: LogLevel, args: unknown[]): void
  /** Lambda's line for an error the runtime reports (`Invoke Error`, `Uncaught Exception`). */
  error(label: string, error: ErrorShape): void
}

/**
 * Sends every `console.*` call over the port, tagged with the running
 * invocation, in the function's `AWS_LAMBDA_LOG_FORMAT`: in `Text`, the
 * formatted arguments (the host adds time, request id and level); in `JSON`,
 * Lambda's JSON line (`timestamp`, `level`, `requestId`, `message`, and the
 * fields of an error). Calls below `AWS_LAMBDA_LOG_LEVEL` cost nothing.
 */
export function captureConsole(batch: LogBatch, config: Pick<RuntimeConfig, 'logFormat' | 'logLevel'>): FunctionLog {
  const threshold = priority[config.logLevel]
  const json = config.logFormat === 'JSON'
  const log = (level: LogLevel, args: unknown[]): void => {
    if (priority[level] < threshold) return
    if (batch.exhausted) return batch.drop()
    if (json) batch.add(level, jsonLine(level, batch.requestId, args), true)
    else batch.add(level, format(...args), false)
  }
  const method = (level: LogLevel) =>
    function log_(...args: unknown[]): void {
      log(level, args)
    }
  console.log = method('INFO')
  console.info = method('INFO')
  console.warn = method('WARN')
  console.error = method('ERROR')
  console.debug = method('DEBUG')
  ;(console as Console & { fatal?: (...args: unknown[]) => void }).fatal = method('FATAL')
  console.trace = function trace(...args: unknown[]): void {
    if (priority.TRACE < threshold) return
    const stack = new Error().stack?.split('\n').slice(2).join('\n') ?? ''
    log('TRACE', [`Trace: ${format(...args)}\n${stack}`])
  }
  return {
    log,
    error(label, error) {
      if (json) {
        const fields = { errorType: error.errorType, errorMessage: error.errorMessage, stackTrace: error.trace }
        batch.add('ERROR', jsonRecord('ERROR', batch.requestId, label, fields), true)
        return
      }
      const stack = error.trace.length > 0 ? error.trace : [`${error.errorType}: ${error.errorMessage}`]
      const shape = { errorType: error.errorType, errorMessage: error.errorMessage, stack }
      // Lambda's own layout: `Invoke Error` and the tab-prefixed JSON, as two console arguments.
      batch.add('ERROR', format(label, `\t${JSON.stringify(shape)}`), false)
    },
  }
}

/** Lambda's JSON line for one console call: one argument is the message as it is, several are formatted. */
function jsonLine(level: LogLevel, requestId: string | null, args: unknown[]): string {
  if (args.length === 1) {
    const [message] = args
    try {
      return jsonRecord(level, requestId, message instanceof Error ? errorFields(message) : message, {})
    } catch {
      return jsonRecord(level, requestId, format(message), {})
    }
  }
  const error = args.find((arg): arg is Error => arg instanceof Error)
  return jsonRecord(level, requestId, format(...args), error === undefined ? {} : errorFields(error))
}

function jsonRecord(level: LogLevel, requestId: string | null, message: unknown, fields: object): string {
  const record = { timestamp: new Date().toISOString(), level, requestId: requestId ?? undefined, message, ...fields }
  return JSON.stringify(record, (_key, value: unknown) => (value instanceof Error ? errorFields(value) : value))
}

function errorFields(error: Error): Record<string, unknown> {
  return {
    errorType: error.name || error.constructor?.name || 'Error',
    errorMessage: error.message,
    stackTrace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
  }
}
