/**
 * A record of the service worth a log line (an Event invocation that
 * failed, a store that went down). The gateway and the event queue write
 * the same shape, so one sink takes both.
 */
export interface ServiceLogRecord {
  level: 'warn' | 'error'
  message: string
  functionName?: string
  requestId?: string
  errorType?: string
  errorMessage?: string
}

export type ServiceLogger = (record: ServiceLogRecord) => void
