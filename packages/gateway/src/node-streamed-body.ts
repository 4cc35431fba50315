import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import type { Context, Hono } from 'hono'
import { matchedRoutes } from 'hono/route'
import type { GatewayEnv } from './gateway-env.js'

/** The Node response @hono/node-server puts in `c.env.outgoing`, as far as streaming a body to it goes. */
export interface NodeOutgoing {
  writeHead(status: number, headers: Record<string, string | string[]>): unknown
  flushHeaders(): void
  write(chunk: Uint8Array, callback: (error?: Error | null) => void): boolean
  end(): unknown
  destroy(error?: Error): unknown
  once(event: 'drain' | 'close', listener: () => void): unknown
  off(event: 'drain' | 'close', listener: () => void): unknown
  readonly destroyed: boolean
}

/**
 * Node's response under this request, to write a streamed body to
 * directly: when the server is @hono/node-server and `app` (the gateway)
 * handles the request alone. Mounted in an app of the embedder's, its
 * middleware may set or read the response around the route: the body is
 * then a `Response` as usual (Hono's merge of their headers would also turn
 * the "already sent" answer into one @hono/node-server sends again).
 */
export function nodeOutgoing(c: Context, app: Hono<GatewayEnv>): NodeOutgoing | undefined {
  const outgoing = (c.env as { outgoing?: Partial<NodeOutgoing> } | undefined)?.outgoing
  if (typeof outgoing?.writeHead !== 'function' || typeof outgoing.write !== 'function') return undefined
  let own = handlers.get(app)
  if (own === undefined) {
    own = new Set(app.routes.map((route) => route.handler))
    handlers.set(app, own)
  }
  for (const route of matchedRoutes(c)) if (!own.has(route.handler)) return undefined
  return outgoing as NodeOutgoing
}

/** The handlers and middleware each gateway registered, taken at its first streamed response. */
const handlers = new WeakMap<Hono<GatewayEnv>, Set<unknown>>()

/**
 * Sends a streamed response straight to Node's response instead of handing
 * Hono a `Response` over the stream: each chunk is written as it is read,
 * and handed back with `release` once its write is done, so the
 * environment copies later chunks into the same memory (a web stream's
 * consumer cannot tell when the socket is done with a chunk). The head
 * goes out at once. The reader's pace is the client's: the next chunk is
 * read only once Node's buffer drains. A client gone cancels the stream; a
 * stream that fails cuts the body short, aborting the connection.
 */
export function streamToNode(
  outgoing: NodeOutgoing,
  status: number,
  headers: Headers,
  reader: ReadableStreamDefaultReader<Uint8Array>,
  release: (chunk: Uint8Array) => void,
  first: Uint8Array | null = null,
): Response {
  const head: Record<string, string | string[]> = {}
  for (const [name, value] of headers) if (name !== 'set-cookie') head[name] = value
  const cookies = headers.getSetCookie()
  if (cookies.length > 0) head['set-cookie'] = cookies
  outgoing.writeHead(status, head)
  outgoing.flushHeaders()
  void pump(outgoing, reader, release, first)
  return RESPONSE_ALREADY_SENT
}

async function pump(
  outgoing: NodeOutgoing,
  reader: ReadableStreamDefaultReader<Uint8Array>,
  release: (chunk: Uint8Array) => void,
  first: Uint8Array | null,
): Promise<void> {
  // 'close' comes at the end of every response; after the last byte the cancel does nothing.
  const gone = () => void reader.cancel().catch(() => {})
  outgoing.once('close', gone)
  try {
    let chunk = first !== null && first.byteLength > 0 ? first : null
    for (;;) {
      if (chunk === null) {
        const read = await reader.read()
        if (read.done) break
        chunk = read.value
      }
      const written = chunk
      const flowing = outgoing.write(written, () => release(written))
      chunk = null
      if (!flowing) await drained(outgoing)
      if (outgoing.destroyed) return
    }
    outgoing.end()
  } catch (error) {
    outgoing.destroy(error instanceof Error ? error : new Error(String(error)))
  } finally {
    outgoing.off('close', gone)
  }
}

function drained(outgoing: NodeOutgoing): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      outgoing.off('drain', done)
      outgoing.off('close', done)
      resolve()
    }
    outgoing.once('drain', done)
    outgoing.once('close', done)
  })
}
