import { type ClientContext, ErrorType, type LogType } from '@lambdalet/protocol'
import type { Context } from 'hono'
import { apiError } from './api-error.js'
import { decodeClientContext } from './client-context.js'
import { parseFunctionName } from './function-name.js'
import { type FunctionScope, functionArn, outOfScope } from './function-scope.js'

/** What an Invoke-style request says in its path and headers, checked. */
export interface InvokeRequest {
  name: string
  qualifier: string | undefined
  invocationType: string
  logType: LogType | undefined
  clientContext: ClientContext | undefined
}

/**
 * Reads the function, qualifier, `X-Amz-Invocation-Type` (one of
 * `invocationTypes`), `X-Amz-Log-Type` and `X-Amz-Client-Context` of an
 * `Invoke` or `InvokeWithResponseStream` request, or the error response
 * Lambda gives the first thing wrong with them.
 */
export function readInvokeRequest(
  c: Context,
  scope: FunctionScope,
  invocationTypes: readonly string[],
): { ok: true; request: InvokeRequest } | { ok: false; response: Response } {
  const fail = (status: number, errorType: string, message: string) =>
    ({ ok: false, response: apiError(c, status, errorType, message) }) as const
  const parsed = parseFunctionName(c.req.param('name') ?? '', c.req.query('Qualifier'))
  if (!parsed.ok) return fail(400, ErrorType.InvalidParameterValue, parsed.message)
  const { name, qualifier } = parsed.ref
  // An ARN names its region and account; this server is one of each.
  const foreign = outOfScope(parsed.ref, scope)
  if (foreign !== null) return fail(404, ErrorType.ResourceNotFound, foreign)
  // Only the unpublished version exists here: there are no versions or aliases.
  if (qualifier !== undefined && qualifier !== '$LATEST') {
    return { ok: false, response: functionNotFound(c, scope, name, qualifier) }
  }

  const invocationType = c.req.header('X-Amz-Invocation-Type') ?? 'RequestResponse'
  if (!invocationTypes.includes(invocationType)) {
    const expected = `${invocationTypes.slice(0, -1).join(', ')} or ${invocationTypes.at(-1)}`
    return fail(
      400,
      ErrorType.InvalidParameterValue,
      `Unsupported invocation type ${JSON.stringify(invocationType)}: expected ${expected}`,
    )
  }
  const logType = c.req.header('X-Amz-Log-Type')
  if (logType !== undefined && logType !== 'None' && logType !== 'Tail') {
    return fail(
      400,
      ErrorType.InvalidParameterValue,
      `Unsupported log type ${JSON.stringify(logType)}: expected None or Tail`,
    )
  }
  let clientContext: ClientContext | undefined
  const clientContextHeader = c.req.header('X-Amz-Client-Context')
  if (clientContextHeader !== undefined) {
    const decoded = decodeClientContext(clientContextHeader)
    if (!decoded.ok) return fail(400, decoded.errorType, decoded.message)
    clientContext = decoded.value
  }
  return { ok: true, request: { name, qualifier, invocationType, logType, clientContext } }
}

export function functionNotFound(c: Context, scope: FunctionScope, name: string, qualifier?: string): Response {
  return apiError(c, 404, ErrorType.ResourceNotFound, `Function not found: ${functionArn(scope, name, qualifier)}`)
}
