import type { LogLevel, LogMessage } from '@lambdalet/protocol'

/**
 * The official runtime clients print `time<TAB>requestId<TAB>LEVEL<TAB>message`,
 * with the message's own newlines as carriage returns.
 */
const TAGGED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)\t([\w-]+)\t(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\t(.*)$/s

/**
 * One line a process printed, as a log message of the invocation it ran:
 * a line the client tagged keeps its own request id, level and time (the
 * pipe may deliver it after the answer it preceded); any other line belongs
 * to `current`, the event the process holds now.
 */
export function processLogMessage(line: string, current: string | null): LogMessage {
  const tagged = TAGGED.exec(line)
  if (tagged !== null) {
    const [, time, requestId, level, message] = tagged as unknown as [string, string, string, string, string]
    return {
      type: 'log',
      // `-` and `undefined`: the client logged outside an invocation (its init).
      requestId: requestId === '-' || requestId === 'undefined' ? current : requestId,
      lines: [
        {
          level: (level === 'FATAL' ? 'ERROR' : level) as LogLevel,
          message: message.replaceAll('\r', '\n'),
          time: Date.parse(time),
        },
      ],
    }
  }
  const json = line.startsWith('{') ? jsonLine(line) : null
  if (json !== null) return { ...json, requestId: json.requestId ?? current }
  return { type: 'log', requestId: current, lines: [{ level: 'INFO', message: line, time: Date.now() }] }
}

const LEVELS = new Set(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'])

/**
 * A line of the clients' JSON format (`AWS_LAMBDA_LOG_FORMAT=JSON`):
 * `{"timestamp","level","requestId","message",…}`, kept whole as the
 * message, as Lambda keeps it; null for any other line.
 */
function jsonLine(line: string): (LogMessage & { requestId: string | null }) | null {
  let fields: unknown
  try {
    fields = JSON.parse(line)
  } catch {
    return null
  }
  if (typeof fields !== 'object' || fields === null) return null
  const { timestamp, level, requestId } = fields as Record<string, unknown>
  if (typeof level !== 'string' || typeof timestamp !== 'string') return null
  const upper = level.toUpperCase()
  return {
    type: 'log',
    requestId: typeof requestId === 'string' && requestId !== '' ? requestId : null,
    lines: [
      {
        level: (LEVELS.has(upper) ? upper : upper === 'FATAL' ? 'ERROR' : 'INFO') as LogLevel,
        message: line,
        time: Number.isNaN(Date.parse(timestamp)) ? Date.now() : Date.parse(timestamp),
      },
    ],
  }
}
