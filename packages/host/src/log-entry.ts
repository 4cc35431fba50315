import { LATEST_VERSION, type LogLevel } from '@lambdalet/protocol'

/** The figures of a REPORT line. */
export interface Report {
  durationMs: number
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

/** The default log sink: Lambda-style lines on stdout. */
export function writeToStdout(entry: LogEntry): void {
  process.stdout.write(entry.line + '\n')
}
