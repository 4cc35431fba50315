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
      level: (level === 'FATAL' ? 'ERROR' : level) as LogLevel,
      message: message.replaceAll('\r', '\n'),
      time: Date.parse(time),
    }
  }
  return { type: 'log', requestId: current, level: 'INFO', message: line, time: Date.now() }
}
