import { serve } from '@hono/node-server'
import { createGateway } from '@lambdalet/gateway'
import { startBareServer } from '../baselines/bare-http.mjs'
import { handler } from '../fixtures/noop.mjs'
import { httpDriver, httpFigures } from '../lib/http-load.mjs'
import { inlineInvoker } from '../lib/inline-invoker.mjs'
import { startLoadGenerator } from '../lib/load-client.mjs'
import { interleave } from '../lib/measure.mjs'
import { listening } from '../lib/servers.mjs'

const PATH = '/2015-03-31/functions/noop/invocations'
const CONNECTIONS = 100

/**
 * The gateway alone: its Invoke API on @hono/node-server with an invoker
 * that runs the handler inline (no host, no worker), against the bare Hono
 * route that does the same. The ratio is what the gateway's own layer costs.
 */
export async function gateway({ rounds, durationSeconds, warmupSeconds, progress }) {
  const load = startLoadGenerator()
  const app = createGateway(inlineInvoker('noop', handler), { logger: () => {} })
  const ours = await listening(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }))
  const bare = await startBareServer(PATH)
  const drive = httpDriver(load, PATH, CONNECTIONS)
  try {
    await drive(ours.url, warmupSeconds)
    await drive(bare.url, warmupSeconds)
    const results = { gateway: [], bare: [] }
    await interleave(
      `gateway alone, ${CONNECTIONS} connections`,
      rounds,
      [
        { name: 'gateway', run: async () => results.gateway.push(await drive(ours.url, durationSeconds)) },
        { name: 'bare', run: async () => results.bare.push(await drive(bare.url, durationSeconds)) },
      ],
      progress,
    )
    return httpFigures({
      id: 'gateway',
      title: {
        throughput: `Gateway alone (inline invoker) req/s, ${CONNECTIONS} connections: Invoke API vs bare Hono route`,
        p99: `Gateway alone p99 latency (ms), ${CONNECTIONS} connections: Invoke API vs bare Hono route`,
      },
      ours: { label: 'gateway', results: results.gateway },
      theirs: { label: 'bare Hono', results: results.bare },
      targets: { throughput: 0.9, p99: 1.25 },
    })
  } finally {
    await Promise.all([ours.close(), bare.close()])
    load.close()
  }
}
