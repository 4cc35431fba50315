import type { GatewayLogRecord } from '@lambdalet/gateway'
import { HOST_LOG_LEVELS, type HostLogLevel, type LogEntry, stderrLines, stdoutLines } from '@lambdalet/host'
import { formatEntry, formatGatewayRecord, formatMessage, type LogFormat } from './format-log.js'

/** Where a command's log lines go, one record per line, in one format. */
export interface LogWriter {
  readonly format: LogFormat
  readonly level: HostLogLevel
  entry(entry: LogEntry): void
  gateway(record: GatewayLogRecord): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
}

/**
 * `level` applies to lambdalet's own lines (`info`, `warn`) and the
 * gateway's records; the host filters its entries itself (give it the
 * same level).
 */
export function createLogWriter(
  format: LogFormat,
  write: (line: string) => void,
  level: HostLogLevel = 'info',
): LogWriter {
  const rank = HOST_LOG_LEVELS.indexOf(level)
  const shows = (lineLevel: 'info' | 'warn' | 'error') => HOST_LOG_LEVELS.indexOf(lineLevel) >= rank
  return {
    format,
    level,
    entry: (entry) => write(formatEntry(entry, format)),
    gateway: (record) => {
      if (shows(record.level)) write(formatGatewayRecord(record, format))
    },
    info: (message, fields = {}) => {
      if (shows('info')) write(formatMessage('INFO', message, fields, format))
    },
    warn: (message, fields = {}) => {
      if (shows('warn')) write(formatMessage('WARN', message, fields, format))
    },
  }
}

// Through the host's line writers, so lambdalet's lines and the host's keep
// one order, and are written once per event-loop turn and at exit.
export const toStdout = (line: string): void => stdoutLines().write(line)

export const toStderr = (line: string): void => stderrLines().write(line)
