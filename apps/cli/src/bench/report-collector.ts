import type { LogEntry, Report } from '@lambdalet/host'

/**
 * Keeps the figures of the host's REPORT lines while recording is on, and
 * remembers an init failure (an INIT_REPORT with `Status: error`) so the
 * bench can stop with the function's own error instead of measuring it.
 */
export class ReportCollector {
  recording = false
  reports: Report[] = []
  initFailure: string | null = null

  readonly entry = (entry: LogEntry): void => {
    if (entry.kind === 'report') {
      if (this.recording) this.reports.push(entry.report)
    } else if (
      entry.kind === 'platform' &&
      entry.line.startsWith('INIT_REPORT') &&
      entry.line.includes('Status: error')
    ) {
      this.initFailure ??= entry.line
    }
  }

  /** Hands over what was recorded and starts afresh. */
  take(): Report[] {
    const reports = this.reports
    this.reports = []
    return reports
  }
}
