import {
  type ErrorShape,
  ErrorType,
  LATEST_VERSION,
  LambdaError,
  type RawInvokeResult,
  serviceError,
} from '@lambdalet/protocol'
import type { Report } from './log-entry.js'

/** What an environment answers for one event. */
export type EnvironmentOutcome =
  /** `durationMs`: the function's own time, as its runtime measured it. */
  | { kind: 'response'; body: string; durationMs: number }
  | { kind: 'error'; error: ErrorShape; invalidEvent: boolean; durationMs: number }
  | { kind: 'timeout'; error: ErrorShape }
  | { kind: 'crash'; error: ErrorShape }
  /** Ended by the host itself (a forced close): a service error, not the function's. */
  | { kind: 'aborted'; error: ErrorShape }
  /** It crashed (with `error`) before its runtime took the event: run it elsewhere. */
  | { kind: 'undelivered'; error: ErrorShape }

/** How an invocation ended, wherever it ended: in an environment or before one was ready. */
export type Outcome =
  | Exclude<EnvironmentOutcome, { kind: 'undelivered' }>
  /** The environment it waited for failed to initialise. */
  | { kind: 'init-failed'; error: ErrorShape }
  /** The host shut down before an environment took it. */
  | { kind: 'not-started'; error: ErrorShape }

/** What an outcome means for the caller, the function's counters and its log. */
export interface Settlement {
  answer: RawInvokeResult | LambdaError
  /** Counted in `invocations` (and so in `errors` and `timeouts` when they are set). */
  counted: boolean
  error: boolean
  timeout: boolean
  /**
   * The handler ran: its duration is observed and END / REPORT are written,
   * with this status. An init failure writes an INIT_REPORT instead.
   */
  report: { status?: Report['status'] } | null
}

/**
 * The pure step from an outcome to its settlement, Lambda's rules in one
 * table: function errors are results (`functionError: true`), service
 * errors reject.
 */
export function settlement(outcome: Outcome, requestId: string): Settlement {
  switch (outcome.kind) {
    case 'response':
      return {
        answer: { requestId, payload: outcome.body, functionError: false, executedVersion: LATEST_VERSION },
        counted: true,
        error: false,
        timeout: false,
        report: {},
      }
    case 'error':
      if (outcome.invalidEvent) {
        const message = `Could not parse request body into json: ${outcome.error.errorMessage}`
        return {
          answer: serviceError(ErrorType.InvalidRequestContent, message, { requestId }),
          counted: true,
          error: false,
          timeout: false,
          report: {},
        }
      }
      return functionError(requestId, outcome.error, { status: 'error' })
    case 'crash':
      return functionError(requestId, outcome.error, { status: 'error' })
    case 'timeout':
      return { ...functionError(requestId, outcome.error, { status: 'timeout' }), timeout: true }
    case 'init-failed':
      return functionError(requestId, outcome.error, null)
    case 'aborted':
      return {
        answer: new LambdaError(outcome.error, { requestId }),
        counted: true,
        error: false,
        timeout: false,
        report: { status: 'error' },
      }
    case 'not-started':
      return {
        answer: new LambdaError(outcome.error, { requestId }),
        counted: false,
        error: false,
        timeout: false,
        report: null,
      }
  }
}

function functionError(requestId: string, error: ErrorShape, report: Settlement['report']): Settlement {
  return {
    answer: {
      requestId,
      payload: JSON.stringify({ errorType: error.errorType, errorMessage: error.errorMessage, trace: error.trace }),
      functionError: true,
      errorType: error.errorType,
      executedVersion: LATEST_VERSION,
    },
    counted: true,
    error: true,
    timeout: false,
    report,
  }
}
