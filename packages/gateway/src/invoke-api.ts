import {
  type AsyncInvoker,
  ErrorType,
  type InvokeOptions,
  type Invoker,
  isLambdaError,
  MAX_ASYNC_PAYLOAD_BYTES,
  MAX_PAYLOAD_BYTES,
  type RawInvokeResult,
  serviceErrorStatus,
} from '@lambdalet/protocol'
import type { Context, Handler, MiddlewareHandler } from 'hono'
import { apiError, serviceErrorResponse } from './api-error.js'
import { closeAfterResponse } from './close-after-response.js'
import type { GatewayEnv } from './gateway-env.js'
import { functionNotFound, readInvokeRequest } from './invoke-request.js'
import { encodeLogResult } from './log-result.js'
import type { GatewayLogger } from './logger.js'
import { declaredLength, payloadLimit } from './payload-limit.js'
import { payloadText } from './payload-text.js'
import { readBody } from './request-body.js'

export const INVOKE_PATH = '/2015-03-31/functions/:name/invocations'

export interface InvokeApiDeps {
  invoker: Invoker
  /** Where `Event` invocations go; without it they are refused. */
  events: AsyncInvoker | undefined
  log: GatewayLogger
  region: string
  accountId: string
  /** Refuse ARNs of other accounts (see `FunctionScope`); default false. */
  strictAccount?: boolean
}

const INVOCATION_TYPES = ['RequestResponse', 'Event', 'DryRun']

/** `POST /2015-03-31/functions/{name}/invocations`, as the AWS SDK calls it. */
export function createInvokeHandler(deps: InvokeApiDeps): Handler<GatewayEnv> {
  const { invoker, events, log, region, accountId } = deps
  const syncLimit = limitFor(MAX_PAYLOAD_BYTES)
  const asyncLimit = limitFor(MAX_ASYNC_PAYLOAD_BYTES)

  const scope = { region, accountId, strictAccount: deps.strictAccount ?? false }
  const notFound = (c: Context, name: string, qualifier: string | undefined): Response =>
    functionNotFound(c, scope, name, qualifier)

  async function invokeSync(c: Context, name: string, payload: string, options: InvokeOptions): Promise<Response> {
    let result: RawInvokeResult
    try {
      result = await invoker.invokeRaw(name, payload, options)
    } catch (error) {
      if (!isLambdaError(error)) throw error
      const status = error.statusCode ?? serviceErrorStatus(error.errorType)
      if (status !== undefined) return serviceErrorResponse(c, error, status)
      // A function error should resolve, but one that rejects still reads as one.
      c.header('X-Amzn-RequestId', options.requestId)
      c.header('X-Amz-Function-Error', 'Unhandled')
      return c.json(error.toJSON(), 200)
    }
    // A plain Response with a plain header object: @hono/node-server writes it
    // straight out, where c.header() would build (and validate) a Headers.
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-amzn-requestid': result.requestId,
      'x-amz-executed-version': result.executedVersion,
    }
    if (result.functionError) headers['x-amz-function-error'] = 'Unhandled'
    if (result.logResult !== undefined) headers['x-amz-log-result'] = encodeLogResult(result.logResult)
    return new Response(result.payload, { status: 200, headers })
  }

  /**
   * Hands the event to the asynchronous side and answers 202 only once it
   * is stored: a 202 is a promise that the event will run.
   */
  async function invokeEvent(c: Context, name: string, payload: string, options: InvokeOptions): Promise<Response> {
    if (events === undefined) {
      return apiError(
        c,
        400,
        ErrorType.InvalidParameterValue,
        'Event invocations are not enabled on this server (no event queue)',
      )
    }
    try {
      const requestId = await events.invokeAsyncRaw(name, payload, { requestId: options.requestId })
      c.header('X-Amzn-RequestId', requestId)
      return c.body(null, 202)
    } catch (error) {
      if (!isLambdaError(error)) throw error
      const status = error.statusCode ?? 500
      if (status >= 500) {
        log({
          level: 'error',
          message: 'Event invocation was not accepted',
          functionName: name,
          requestId: options.requestId,
          errorType: error.errorType,
          errorMessage: error.errorMessage,
        })
      }
      return serviceErrorResponse(c, error, status)
    }
  }

  return async function invoke(c) {
    const read = readInvokeRequest(c, scope, INVOCATION_TYPES)
    if (!read.ok) return read.response
    const { name, qualifier, invocationType, logType, clientContext } = read.request
    const options: InvokeOptions = { requestId: c.get('requestId') }
    if (clientContext !== undefined) options.clientContext = clientContext

    if (invocationType === 'DryRun') {
      return invoker.hasFunction(name) ? c.body(null, 204) : notFound(c, name, qualifier)
    }
    const isEvent = invocationType === 'Event'
    if (isEvent && !invoker.hasFunction(name)) return notFound(c, name, qualifier)
    if (!isEvent && logType === 'Tail') options.logType = 'Tail'

    const answer = async (): Promise<Response> => {
      const body = await readBody(c)
      const refused = c.get('bodyReceived')()
      if (refused !== undefined) return refused
      const payload = payloadText(c, body)
      if (typeof payload !== 'string') return payload
      return isEvent ? invokeEvent(c, name, payload, options) : invokeSync(c, name, payload, options)
    }
    // Which of the two limits applies is only known per request. A declared
    // length is checked at once; a chunked body goes through bodyLimit,
    // which counts bytes as they stream in.
    const maxSize = isEvent ? MAX_ASYNC_PAYLOAD_BYTES : MAX_PAYLOAD_BYTES
    const length = declaredLength(c)
    if (length !== undefined) return length > maxSize ? tooLarge(c, maxSize) : answer()
    let response: Response | undefined
    const rejected = await (isEvent ? asyncLimit : syncLimit)(c, async () => {
      response = await answer()
    })
    return rejected ?? (response as Response)
  }
}

function tooLarge(c: Context, maxSize: number): Response {
  closeAfterResponse(c)
  return apiError(
    c,
    413,
    ErrorType.RequestTooLarge,
    `Request must be smaller than ${maxSize} bytes for the InvokeFunction operation`,
  )
}

function limitFor(maxSize: number): MiddlewareHandler {
  return payloadLimit(maxSize, (c) => tooLarge(c, maxSize))
}
