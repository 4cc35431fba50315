import { serve } from '@hono/node-server'
import { createGateway } from '@lambdalet/gateway'
import { startBareServer } from '../baselines/bare-http.mjs'
import { handler } from '../fixtures/noop.mjs'
import { figure } from '../lib/figure.mjs'
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
  const drive = async (url, duration) => {
    const result = await load.run({
      url: url + PATH,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      connections: CONNECTIONS,
      duration,
    })
    const failures = result.errors + result.timeouts + result.non2xx
    if (failures > 0) throw new Error(`${url}: ${failures} of ${result.total} requests failed`)
    return result
  }
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
    const pick = (name, key) => results[name].map(key)
    return [
      figure({
        id: 'gateway-throughput',
        title: `Gateway alone (inline invoker) req/s, ${CONNECTIONS} connections: Invoke API vs bare Hono route`,
        unit: 'req/s',
        lambdalet: { label: 'gateway', samples: pick('gateway', (r) => r.requestsPerSecond) },
        baseline: { label: 'bare Hono', samples: pick('bare', (r) => r.requestsPerSecond) },
        target: { op: '>=', value: 0.9 },
      }),
      figure({
        id: 'gateway-p99',
        title: `Gateway alone p99 latency (ms), ${CONNECTIONS} connections: Invoke API vs bare Hono route`,
        unit: 'ms',
        lambdalet: { label: 'gateway', samples: pick('gateway', (r) => r.latency.p99) },
        baseline: { label: 'bare Hono', samples: pick('bare', (r) => r.latency.p99) },
        target: { op: '<=', value: 1.25 },
      }),
    ]
  } finally {
    await Promise.all([ours.close(), bare.close()])
    load.close()
  }
}
