import type { ServiceLogger, ServiceLogRecord } from '@lambdalet/protocol'

/** A gateway-level event worth a log line (e.g. an `Event` invocation that was not accepted). */
export type GatewayLogRecord = ServiceLogRecord

export type GatewayLogger = ServiceLogger

export const consoleLogger: GatewayLogger = (record) => {
  console.error(JSON.stringify(record))
}

/** A logger that throws must not turn a handled failure into an unhandled one. */
export function safeLogger(logger: GatewayLogger): GatewayLogger {
  return function log(record) {
    try {
      logger(record)
    } catch {
      // Nothing better to do with a broken logger than to keep serving.
    }
  }
}
