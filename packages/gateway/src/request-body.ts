import type { Context } from 'hono'
import { requestHeader } from './request-header.js'

/** The Node request @hono/node-server puts in `c.env.incoming`, as far as reading its body goes. */
interface NodeIncoming {
  readableDidRead: boolean
  /** Node's parser has pushed the whole body into the stream. */
  complete: boolean
  read(): Buffer | null
  on(event: 'data', listener: (chunk: Buffer) => void): unknown
  on(event: 'end', listener: () => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
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
  const chunks: Buffer[] = []
  // Usually the whole of a small body came with its headers and waits in the
  // stream's buffer: taken at once, without the stream's flowing mode.
  if (incoming.complete) {
    for (let chunk = incoming.read(); chunk !== null; chunk = incoming.read()) chunks.push(chunk)
    return Promise.resolve(joined(chunks))
  }
  return new Promise((resolve, reject) => {
    // `on`, not `once`: the request lives no longer than this, and `once` costs a wrapper each.
    incoming.on('data', (chunk) => chunks.push(chunk))
    incoming.on('end', () => resolve(joined(chunks)))
    // Also how a client gone before its body ended shows (ECONNRESET, `aborted`).
    incoming.on('error', reject)
  })
}

function joined(chunks: Buffer[]): Buffer {
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)
}
