import type { Server } from 'node:http'
import type { Socket } from 'node:net'

/** How long a closing connection keeps reading what the client still sends. */
export const LINGER_MS = 2_000

/**
 * Closes connections the way a client can read the last answer. A response
 * with `Connection: close` (a 413 by Content-Length, a 503 while shutting
 * down) often goes out while the client is still sending its body. Node then
 * ends the socket and destroys it once the response is written; data still
 * arriving meets a closed socket, the kernel answers with a reset, and a
 * client still writing loses the response with it (EPIPE, ECONNRESET; the
 * AWS SDK saw a network error instead of `RequestTooLargeException`).
 *
 * Node closes those sockets through `destroySoon()`, so each connection's
 * is replaced by a lingering close, as nginx's `lingering_close` does: our
 * side ends (FIN, after the response), the HTTP parser keeps reading and
 * dropping the rest of the body, and the socket is destroyed when the client
 * closes its side, or after `lingerMs`.
 */
export function lingerOnClose(server: Server, lingerMs = LINGER_MS): void {
  server.on('connection', (socket: Socket) => {
    socket.destroySoon = () => linger(socket, lingerMs)
  })
}

function linger(socket: Socket, lingerMs: number): void {
  if (socket.destroyed) return
  socket.end()
  const timer = setTimeout(() => socket.destroy(), lingerMs)
  timer.unref()
  socket.once('close', () => clearTimeout(timer))
  // The client read the answer and closed: nothing more will come.
  socket.once('end', () => socket.destroy())
}
