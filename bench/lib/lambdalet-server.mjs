import { startServer } from '@lambdalet/cli'

/** What `lambdalet serve` runs (host, gateway, @hono/node-server), on 127.0.0.1 and a free port. */
export async function startLambdaletServer(functions) {
  const server = await startServer({ functions, port: 0, logs: false, logger: () => {}, drainTimeoutMs: 1_000 })
  return { url: server.url, host: server.host, close: () => server.close() }
}
