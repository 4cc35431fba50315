import { ErrorType, type LambdaError } from '@lambdalet/protocol'
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

export interface ApiErrorDetails {
  /** Lambda's `Reason` (throttles say which limit was hit). */
  reason?: string
  retryAfterSeconds?: number
}

/** Used when a throttle does not say how long to wait. */
const DEFAULT_RETRY_AFTER_SECONDS = 1

/**
 * An Invoke API error as Lambda sends it, so the AWS SDK (restJson1) throws
 * the matching exception class: the code is read from `X-Amzn-ErrorType`,
 * the fields (`Type`, `message`, `Reason`) from the JSON body and
 * `retryAfterSeconds` from `Retry-After`.
 */
export function apiError(
  c: Context,
  status: number,
  errorType: string,
  message: string,
  details: ApiErrorDetails = {},
): Response {
  c.header('X-Amzn-ErrorType', errorType)
  if (details.retryAfterSeconds !== undefined) c.header('Retry-After', String(details.retryAfterSeconds))
  const body: { Type: string; message: string; Reason?: string } = {
    Type: status >= 500 ? 'Service' : 'User',
    message,
  }
  if (details.reason !== undefined) body.Reason = details.reason
  return c.json(body, status as ContentfulStatusCode)
}

/** A service error the invoker rejected with, answered with its own status. */
export function serviceErrorResponse(c: Context, error: LambdaError, status: number): Response {
  if (error.errorType === ErrorType.TooManyRequests) {
    return apiError(c, status, error.errorType, error.errorMessage, {
      reason: error.reason ?? 'ConcurrentInvocationLimitExceeded',
      retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS,
    })
  }
  return apiError(
    c,
    status,
    error.errorType,
    error.errorMessage,
    error.reason === undefined ? {} : { reason: error.reason },
  )
}
