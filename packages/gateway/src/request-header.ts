import type { Context } from 'hono'

/** @hono/node-server puts the Node request in `c.env.incoming`; other servers may not. */
interface NodeIncoming {
  incoming?: { headers?: Record<string, string | string[] | undefined> }
}

/**
 * A request header by its lower-case name. On @hono/node-server this reads
 * the headers Node's parser already split out: `c.req.header()` goes through
 * a Headers-like wrapper that validates the name and normalises the value
 * on every call, a measurable share of a small request (four to six
 * lookups each on the Invoke API). Elsewhere it is `c.req.header()`.
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const headers = (c.env as NodeIncoming | undefined)?.incoming?.headers
  if (headers === undefined) return c.req.header(name)
  const value = headers[name]
  // Node joins repeated headers into one string, except set-cookie (not a request header).
  return typeof value === 'string' ? value : undefined
}
