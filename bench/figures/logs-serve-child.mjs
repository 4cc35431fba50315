// A lambdalet server as `lambdalet serve` runs it, in its own process so
// that its stdout is where the user's logs go: default logs, or none.
import { startServer } from '@lambdalet/cli'
import { serveRequests } from '../lib/child.mjs'

let server = null
serveRequests(async ({ functions, logs }) => {
  server = await startServer({
    functions,
    port: 0,
    drainTimeoutMs: 1_000,
    ...(logs === 'off' && { logs: false }),
  })
  const started = Date.now()
  while (server.host.stats().functions.noop.environments.idle < functions.noop.minWarm) {
    if (Date.now() - started > 10_000) throw new Error('the environments did not start')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return { url: server.url }
})
process.on('disconnect', async () => {
  await server?.close()
  process.exit(0)
})
