import type { ServiceLogger, ServiceLogRecord } from '@lambdalet/protocol'

/** A record of the asynchronous side worth a log line: the gateway's shape, so one sink takes both. */
export type EventLogRecord = ServiceLogRecord

export type EventLogger = ServiceLogger

export const stderrLogger: EventLogger = (record) => {
  process.stderr.write(`${JSON.stringify(record)}\n`)
}
