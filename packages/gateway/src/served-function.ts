import { ErrorType, type Invoker } from '@lambdalet/protocol'
import type { Context } from 'hono'
import { apiError } from './api-error.js'
import { parseFunctionName } from './function-name.js'
import { type FunctionScope, functionArn, outOfScope } from './function-scope.js'

/**
 * The served function a control-plane path's `:name` (and `?Qualifier=`)
 * names, or the error response Lambda would send: 400 for a malformed
 * name, 404 for another region or account, an unknown function, or a
 * version other than `$LATEST` (the only one that exists here).
 */
export function servedFunction(
  c: Context,
  invoker: Invoker,
  scope: FunctionScope,
): { name: string; qualifier: string | undefined } | Response {
  const parsed = parseFunctionName(c.req.param('name') ?? '', c.req.query('Qualifier'))
  if (!parsed.ok) return apiError(c, 400, ErrorType.InvalidParameterValue, parsed.message)
  const { name, qualifier } = parsed.ref
  const foreign = outOfScope(parsed.ref, scope)
  if (foreign !== null) return apiError(c, 404, ErrorType.ResourceNotFound, foreign)
  if (!invoker.hasFunction(name) || (qualifier !== undefined && qualifier !== '$LATEST')) {
    return apiError(c, 404, ErrorType.ResourceNotFound, `Function not found: ${functionArn(scope, name, qualifier)}`)
  }
  return { name, qualifier }
}
