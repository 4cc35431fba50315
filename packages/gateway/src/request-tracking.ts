import { ErrorType } from '@lambdalet/protocol'
import type { Context, MiddlewareHandler } from 'hono'
import { apiError } from './api-error.js'
import type { GatewayEnv } from './gateway-env.js'
import type { Lifecycle } from './lifecycle.js'

/**
 * Counts requests for the shutdown drain. A request with a body becomes
 * in-flight work only once its handler has read the body: a client that
 * sent its headers and stalls (or trickles) its body must not hold a
 * shutdown for the whole drain timeout, since nothing runs for it yet.
 */
export function trackRequests(lifecycle: Lifecycle): MiddlewareHandler<GatewayEnv> {
  return async function trackRequest(c, next) {
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

/** The answer to a request refused because the server is shutting down. */
export function shuttingDown(c: Context): Response {
  // Shaped for the AWS SDK, and `message` reads as API Gateway's too.
  return apiError(c, 503, ErrorType.ServiceUnavailable, 'The server is shutting down')
}

function hasBody(c: Context): boolean {
  if (c.req.header('transfer-encoding') !== undefined) return true
  const length = c.req.header('content-length')
  return length !== undefined && length !== '0'
}
