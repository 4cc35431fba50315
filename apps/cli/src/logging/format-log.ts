import type { GatewayLogRecord } from '@lambdalet/gateway'
import type { LogEntry } from '@lambdalet/host'
import { escapeControl, escapeControlKeepTabs, safeJson } from './escape.js'

export type LogFormat = 'text' | 'json'
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json']

type Level = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL'

/**
 * One host log record as one line. Text is the Lambda-style line prefixed
 * with the function name; JSON carries the same facts as fields. Either way
 * the function's own text is escaped so it stays on its line.
 */
export function formatEntry(entry: LogEntry, format: LogFormat): string {
  if (format === 'json') return safeJson(entryFields(entry))
  // Control characters are escaped, so that a function cannot start a line
  // of its own; tabs are kept, as in Lambda's own lines (`Invoke Error \t{…}`):
  // a tab cannot forge the time, request id and level that come before it.
  return prefix(entry.functionName) + escapeControlKeepTabs(entry.line)
}

// One per function name: the host's functions are a fixed, small set.
const prefixes = new Map<string, string>()

function prefix(functionName: string): string {
  let text = prefixes.get(functionName)
  if (text === undefined) {
    text = `[${escapeControl(functionName)}] `
    prefixes.set(functionName, text)
  }
  return text
}

function entryFields(entry: LogEntry): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    time: new Date(entry.time).toISOString(),
    level: entryLevel(entry),
    functionName: entry.functionName,
    requestId: entry.requestId,
    kind: entry.kind,
    message: entry.kind === 'function' ? entry.message : entry.line,
  }
  if (entry.kind === 'report') Object.assign(fields, entry.report)
  return fields
}

function entryLevel(entry: LogEntry): Level {
  switch (entry.kind) {
    case 'function':
      return entry.level
    case 'platform':
      return 'ERROR'
    case 'report':
      return entry.report.status === undefined ? 'INFO' : 'WARN'
    default:
      return 'INFO'
  }
}

/** A gateway-level record, e.g. an `Event` invocation that failed. */
export function formatGatewayRecord(record: GatewayLogRecord, format: LogFormat, now = Date.now()): string {
  const { level, message, ...rest } = record
  if (format === 'json') {
    return safeJson({
      time: new Date(now).toISOString(),
      level: level.toUpperCase(),
      kind: 'gateway',
      message,
      ...rest,
    })
  }
  const details = Object.entries(rest)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}=${escapeControl(String(value))}`)
    .join('')
  return `[gateway] ${level.toUpperCase()} ${escapeControl(message)}${details}`
}

/** lambdalet's own messages (listening, shutting down) in the chosen format. */
export function formatMessage(
  level: 'INFO' | 'WARN' | 'ERROR',
  message: string,
  fields: Record<string, unknown>,
  format: LogFormat,
  now = Date.now(),
): string {
  if (format === 'json')
    return safeJson({ time: new Date(now).toISOString(), level, kind: 'server', message, ...fields })
  const text = escapeControlKeepTabs(message)
  return level === 'INFO' ? text : `${level.toLowerCase()}: ${text}`
}
