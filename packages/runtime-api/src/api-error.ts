import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** The Runtime API's error types, as the Lambda service (and its emulator) answers them. */
export const RuntimeApiError = {
  InvalidRequestId: 'InvalidRequestID',
  InvalidStateTransition: 'InvalidStateTransition',
  RequestEntityTooLarge: 'RequestEntityTooLarge',
  InvalidFunctionResponseMode: 'InvalidFunctionResponseMode',
  NotFound: 'NotFound',
} as const

/** `{"errorType","errorMessage"}` with its status, the body every Runtime API error has. */
export function runtimeApiError(c: Context, status: number, errorType: string, errorMessage: string): Response {
  return c.json({ errorType, errorMessage }, status as ContentfulStatusCode)
}
