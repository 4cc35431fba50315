import type { GatewayLogRecord } from '@lambdalet/gateway'
import type { LogEntry } from '@lambdalet/host'
import { formatEntry, formatGatewayRecord, formatMessage, type LogFormat } from './format-log.js'

/** Where a command's log lines go, one record per line, in one format. */
export interface LogWriter {
  readonly format: LogFormat
  entry(entry: LogEntry): void
  gateway(record: GatewayLogRecord): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
}

export function createLogWriter(format: LogFormat, write: (line: string) => void): LogWriter {
  return {
    format,
    entry: (entry) => write(formatEntry(entry, format)),
    gateway: (record) => write(formatGatewayRecord(record, format)),
    info: (message, fields = {}) => write(formatMessage('INFO', message, fields, format)),
    warn: (message, fields = {}) => write(formatMessage('WARN', message, fields, format)),
  }
}

export const toStdout = (line: string): void => {
  process.stdout.write(line + '\n')
}

export const toStderr = (line: string): void => {
  process.stderr.write(line + '\n')
}
