import type { Context } from 'hono'
import { requestHeader } from './request-header.js'

/** The Node request @hono/node-server puts in `c.env.incoming`, as far as reading its body goes. */
interface NodeIncoming {
  readableDidRead: boolean
  on(event: 'data', listener: (chunk: Buffer) => void): unknown
  once(event: 'end', listener: () => void): unknown
  once(event: 'error', listener: (error: Error) => void): unknown
}

/**
 * The request's body as bytes. On @hono/node-server, a body of declared
 * length is read straight off the Node request: `c.req.arrayBuffer()`
 * copies the bytes into a fresh ArrayBuffer, and `c.req.text()` would
 * replace invalid UTF-8 with U+FFFD where Lambda refuses it, so neither
 * fits. A chunked body is read through Hono, whose `bodyLimit` counts it.
 */
export function readBody(c: Context): Promise<Uint8Array> {
  const incoming = (c.env as { incoming?: NodeIncoming } | undefined)?.incoming
  if (
    incoming === undefined ||
    typeof incoming.on !== 'function' ||
    incoming.readableDidRead ||
    requestHeader(c, 'transfer-encoding') !== undefined
  ) {
    return c.req.arrayBuffer().then((buffer) => new Uint8Array(buffer))
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    incoming.on('data', (chunk) => chunks.push(chunk))
    incoming.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)))
    // Also how a client gone before its body ended shows (ECONNRESET, `aborted`).
    incoming.once('error', reject)
  })
}
