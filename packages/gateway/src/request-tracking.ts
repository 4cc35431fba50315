import { randomUUID } from 'node:crypto'
import { ErrorType } from '@lambdalet/protocol'
import type { Context, MiddlewareHandler } from 'hono'
import { apiError } from './api-error.js'
import type { GatewayEnv } from './gateway-env.js'
import type { Lifecycle } from './lifecycle.js'
import { requestHeader } from './request-header.js'

/**
 * What the gateway keeps of every request, in the one middleware that
 * wraps them all (each middleware more is a step on every request):
 *
 * - the shutdown: once it began, new requests are refused, except the two
 *   that report on it;
 * - the drain count. A request with a body becomes in-flight work only once
 *   its handler has read the body: a client that sent its headers and
 *   stalls (or trickles) its body must not hold a shutdown for the whole
 *   drain timeout, since nothing runs for it yet;
 * - Lambda's request id on the Lambda APIs, which answer every call with
 *   one, errors included. A successful answer carries it already; reading
 *   `c.res.headers` would turn its plain header object into a Headers, so
 *   that one is not touched.
 */
export function trackRequests(lifecycle: Lifecycle): MiddlewareHandler<GatewayEnv> {
  return async function trackRequest(c, next) {
    const path = c.req.path
    const api =
      path.startsWith(INVOKE_API_PREFIX) || path.startsWith(CONFIG_API_PREFIX) || path.startsWith(STREAM_API_PREFIX)
    const requestId = api ? randomUUID() : ''
    if (api) c.set('requestId', requestId)
    if (lifecycle.closing && !EXEMPT.has(path)) {
      if (api) c.header('X-Amzn-RequestId', requestId)
      return shuttingDown(c)
    }
    let counted = !hasBody(c)
    if (counted) lifecycle.requestStarted()
    c.set('bodyReceived', () => {
      if (!counted) {
        counted = true
        lifecycle.requestStarted()
      }
      // Its body came in after the shutdown began: it is refused as a new request would be.
      return lifecycle.closing ? shuttingDown(c) : undefined
    })
    try {
      await next()
    } finally {
      if (counted) lifecycle.requestFinished()
    }
    if (!api || c.res.status === 200 || c.res.headers.has('x-amzn-requestid')) return
    c.res.headers.set('X-Amzn-RequestId', requestId)
  }
}

export const INVOKE_API_PREFIX = '/2015-03-31/'
export const CONFIG_API_PREFIX = '/2019-09-25/'
export const STREAM_API_PREFIX = '/2021-11-15/'

const EXEMPT = new Set(['/healthz', '/metrics'])

/** The answer to a request refused because the server is shutting down. */
export function shuttingDown(c: Context): Response {
  // Shaped for the AWS SDK, and `message` reads as API Gateway's too.
  return apiError(c, 503, ErrorType.ServiceUnavailable, 'The server is shutting down')
}

function hasBody(c: Context): boolean {
  if (requestHeader(c, 'transfer-encoding') !== undefined) return true
  const length = requestHeader(c, 'content-length')
  return length !== undefined && length !== '0'
}
