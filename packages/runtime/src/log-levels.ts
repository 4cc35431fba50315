import type { LogLevel } from '@lambdalet/protocol'

/** Lambda's order of log levels: a function's `AWS_LAMBDA_LOG_LEVEL` drops what is below it. */
export const levelPriority: Readonly<Record<LogLevel, number>> = {
  TRACE: 1,
  DEBUG: 2,
  INFO: 3,
  WARN: 4,
  ERROR: 5,
  FATAL: 6,
}
