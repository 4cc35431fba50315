import { once } from 'node:events'

/** Resolves once a node:http server listens: its URL and a close() that ends kept-alive sockets. */
export async function listening(server) {
  if (!server.listening) await once(server, 'listening')
  const { port } = server.address()
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections?.()
      }),
  }
}
