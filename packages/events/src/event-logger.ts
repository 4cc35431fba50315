/** A record of the asynchronous side worth a log line (shaped like the gateway's, so one sink takes both). */
export interface EventLogRecord {
  level: 'warn' | 'error'
  message: string
  functionName?: string
  requestId?: string
  errorType?: string
  errorMessage?: string
}

export type EventLogger = (record: EventLogRecord) => void

export const stderrLogger: EventLogger = (record) => {
  process.stderr.write(`${JSON.stringify(record)}\n`)
}
