import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { requestHeader } from './request-header.js'

/**
 * hono's `bodyLimit`, minus its cost on the common path. bodyLimit first
 * reads `c.req.raw.body`; on @hono/node-server that getter turns the
 * lightweight request into a full web `Request`, a large share of a small
 * request's cost. A declared Content-Length (Node's parser holds the body
 * to it) is checked here directly; bodies without one, chunked, still
 * stream through bodyLimit, which counts bytes as they arrive.
 */
export function payloadLimit(maxSize: number, onError: (c: Context) => Response): MiddlewareHandler {
  const streamed = bodyLimit({ maxSize, onError })
  return function payloadLimit(c, next) {
    const method = c.req.method
    if (method === 'GET' || method === 'HEAD') return next()
    const length = declaredLength(c)
    if (length !== undefined) return length > maxSize ? Promise.resolve(onError(c)) : next()
    return streamed(c, next)
  }
}

/** The body's length as the request declares it, when it does (not chunked). */
export function declaredLength(c: Context): number | undefined {
  const length = requestHeader(c, 'content-length')
  return length === undefined || requestHeader(c, 'transfer-encoding') !== undefined ? undefined : Number(length)
}
