import { LATEST_VERSION, type LogLevel } from '@lambdalet/protocol'

/** The figures of a REPORT line. */
export interface Report {
  /** The function's own time, measured in its runtime (from the event to its result), as Lambda bills it. */
  durationMs: number
  /**
   * The time the host saw, from handing the event over to reading the
   * answer: `durationMs` plus the thread hop and any wait on the host's own
   * thread. Not on the line itself.
   */
  hostDurationMs: number
  billedDurationMs: number
  memorySizeMb: number
  maxMemoryUsedMb: number
  /** Only on a cold start. */
  initDurationMs?: number
  /** Set when the invocation did not succeed. */
  status?: 'timeout' | 'error'
}

/** One log record: a platform line (START / END / REPORT) or a function's own line. */
export type LogEntry =
  | { kind: 'start' | 'end'; functionName: string; requestId: string; time: number; line: string }
  | { kind: 'report'; functionName: string; requestId: string; time: number; line: string; report: Report }
  | {
      kind: 'function'
      functionName: string
      requestId: string | null
      time: number
      level: LogLevel
      message: string
      /** The function's own text as it wrote it (a stream write, a JSON-format line): `line` is `message`. */
      raw: boolean
      line: string
    }
  | { kind: 'platform'; functionName: string; requestId: string | null; time: number; line: string }

export function startLine(requestId: string): string {
  return `START RequestId: ${requestId} Version: ${LATEST_VERSION}`
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}`
}

export function reportLine(requestId: string, report: Report): string {
  let line =
    `REPORT RequestId: ${requestId}\tDuration: ${report.durationMs.toFixed(2)} ms\t` +
    `Billed Duration: ${report.billedDurationMs} ms\tMemory Size: ${report.memorySizeMb} MB\t` +
    `Max Memory Used: ${report.maxMemoryUsedMb} MB`
  if (report.initDurationMs !== undefined) line += `\tInit Duration: ${report.initDurationMs.toFixed(2)} ms`
  if (report.status !== undefined) line += `\tStatus: ${report.status}`
  return line
}

/**
 * Lambda's line for a failed init: with the init's duration when an
 * invocation waited for it, with the message when nobody did (a pre-warmed
 * environment), since then no invocation's answer carries the error.
 */
export function initReportLine(
  errorType: string,
  failed: { initDurationMs: number } | { errorMessage: string },
): string {
  if ('initDurationMs' in failed) {
    return `INIT_REPORT Init Duration: ${failed.initDurationMs.toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: ${errorType}`
  }
  return `INIT_REPORT Phase: init\tStatus: error\tError Type: ${errorType}\t${failed.errorMessage}`
}

/** A function's log line the way CloudWatch shows it from the Node.js runtime. */
export function functionLine(time: number, requestId: string | null, level: LogLevel, message: string): string {
  return `${new Date(time).toISOString()}\t${requestId ?? 'undefined'}\t${level}\t${message}`
}

/** Lambda's line for an invocation that timed out. */
export function timeoutLine(time: number, requestId: string, message: string): string {
  return `${new Date(time).toISOString()} ${requestId} ${message}`
}

/** The levels of `logs.level`, least severe first; `silent` writes nothing. */
export type HostLogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'
export const HOST_LOG_LEVELS: readonly HostLogLevel[] = ['debug', 'info', 'warn', 'error', 'silent']

const functionRank: Record<LogLevel, number> = { TRACE: 0, DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3, FATAL: 3 }

/**
 * Where a line stands against `logs.level` (an index into
 * `HOST_LOG_LEVELS`): a function's by its own level, START / END / REPORT
 * at info, the host's lines about a failure (a timeout, a crash, a failed
 * init) at error.
 */
export function lineRank(
  line: { kind: 'function'; level: LogLevel } | { kind: 'start' | 'end' | 'report' | 'platform' },
): number {
  if (line.kind === 'function') return functionRank[line.level]
  return line.kind === 'platform' ? 3 : 1
}
