import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import type { Hono } from 'hono'

export interface RuntimeApiServer {
  /** `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`. */
  readonly address: string
  readonly port: number
  /** Stops listening and cuts every connection, a waiting `/next` included. */
  close(): void
}

/**
 * Serves one environment's Runtime API on a port of its own on 127.0.0.1,
 * as a sandbox has: the official Node client opens several connections and
 * knows only `host:port`, so an environment is told apart by its port, not
 * by a connection.
 */
export function listenRuntimeApi(app: Hono): Promise<RuntimeApiServer> {
  const server = createServer(getRequestListener(app.fetch))
  // `/next` waits for as long as the environment is idle, and a client that
  // finds its kept-alive connection closed under it must reconnect: keep
  // connections for as long as the environment lives.
  server.keepAliveTimeout = 0
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      const { port } = server.address() as AddressInfo
      resolve({
        address: `127.0.0.1:${port}`,
        port,
        close() {
          server.close()
          server.closeAllConnections()
        },
      })
    })
  })
}
