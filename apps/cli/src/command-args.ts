import { HOST_LOG_LEVELS, type HostLogLevel } from '@lambdalet/host'
import { LOG_FORMATS, type LogFormat } from './logging/format-log.js'
import { UsageError } from './usage-error.js'

/** Runs `util.parseArgs` (strict), its errors turned into `UsageError`s. */
export function withUsageErrors<T>(parse: () => T): T {
  try {
    return parse()
  } catch (error) {
    // Node's messages go on to explain `--`; the first sentence is the point.
    const message = (error as Error).message.split(/\.\s/)[0] as string
    throw new UsageError(message.replace(/\.$/, ''))
  }
}

export function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new UsageError(`--port: expected a port number from 0 to 65535, got ${JSON.stringify(value)}`)
  }
  return port
}

/** `10000`, `10000ms` or `10s`, in milliseconds. */
export function parseDuration(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const match = /^(\d+)(ms|s)?$/.exec(value)
  if (match === null)
    throw new UsageError(`${flag}: expected a duration such as 10s or 500ms, got ${JSON.stringify(value)}`)
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1)
}

export function parseLogFormat(value: string | undefined): LogFormat {
  if (value === undefined) return 'text'
  if (!(LOG_FORMATS as readonly string[]).includes(value)) {
    throw new UsageError(`--log-format: expected ${LOG_FORMATS.join(' or ')}, got ${JSON.stringify(value)}`)
  }
  return value as LogFormat
}

/** `--log-level`: which lines are written, `info` by default. */
export function parseLogLevel(value: string | undefined): HostLogLevel {
  if (value === undefined) return 'info'
  if (!(HOST_LOG_LEVELS as readonly string[]).includes(value)) {
    throw new UsageError(`--log-level: expected one of ${HOST_LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`)
  }
  return value as HostLogLevel
}

export const logFormatOption = { 'log-format': { type: 'string' }, 'log-level': { type: 'string' } } as const
export const helpOption = { help: { type: 'boolean', short: 'h' } } as const
