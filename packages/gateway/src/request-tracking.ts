import { randomUUID } from 'node:crypto'
import { ErrorType } from '@lambdalet/protocol'
import type { Context, MiddlewareHandler } from 'hono'
import { apiError } from './api-error.js'
import type { GatewayEnv } from './gateway-env.js'
import type { Lifecycle } from './lifecycle.js'
import { requestHeader } from './request-header.js'

/**
 * Counts requests for the shutdown drain. A request with a body becomes
 * in-flight work only once its handler has read the body: a client that
 * sent its headers and stalls (or trickles) its body must not hold a
 * shutdown for the whole drain timeout, since nothing runs for it yet.
 */
export function trackRequests(lifecycle: Lifecycle): MiddlewareHandler<GatewayEnv> {
  return async function trackRequest(c, next) {
    // New requests are refused once the shutdown began, except the two that
    // report on it. (Here rather than in a middleware of its own: one less
    // step on every request.)
    if (lifecycle.closing && !EXEMPT.has(c.req.path)) return shuttingDown(c)
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
  }
}

const EXEMPT = new Set(['/healthz', '/metrics'])
const API_PATH = /^\/20(?:15-03-31|19-09-25)\//

/** The answer to a request refused because the server is shutting down. */
export function shuttingDown(c: Context): Response {
  // Lambda answers every API call with a request id, errors included.
  if (API_PATH.test(c.req.path)) c.header('X-Amzn-RequestId', c.get('requestId') ?? randomUUID())
  // Shaped for the AWS SDK, and `message` reads as API Gateway's too.
  return apiError(c, 503, ErrorType.ServiceUnavailable, 'The server is shutting down')
}

function hasBody(c: Context): boolean {
  if (requestHeader(c, 'transfer-encoding') !== undefined) return true
  const length = requestHeader(c, 'content-length')
  return length !== undefined && length !== '0'
}
