import { fileURLToPath } from 'node:url'
import { startBareServer } from '../baselines/bare-http.mjs'
import { figure } from '../lib/figure.mjs'
import { startLambdaletServer } from '../lib/lambdalet-server.mjs'
import { startLoadGenerator } from '../lib/load-client.mjs'
import { interleave } from '../lib/measure.mjs'
import { whenWarm } from '../lib/when-warm.mjs'

const codeDir = fileURLToPath(new URL('../fixtures/', import.meta.url))
const PATH = '/2015-03-31/functions/noop/invocations'
const CONNECTIONS = 100

/** The Invoke API of a lambdalet server against a bare Hono route, 100 connections. */
export async function http({ rounds, durationSeconds, warmupSeconds, environments, progress }) {
  const load = startLoadGenerator()
  const lambdalet = await startLambdaletServer({
    noop: { handler: 'noop.mjs', codeDir, maxConcurrency: environments, minWarm: environments, routes: [] },
  })
  await whenWarm(lambdalet.host, 'noop', environments)
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
    await drive(lambdalet.url, warmupSeconds)
    await drive(bare.url, warmupSeconds)
    const results = { lambdalet: [], bare: [] }
    await interleave(
      `HTTP, ${CONNECTIONS} connections`,
      rounds,
      [
        { name: 'lambdalet', run: async () => results.lambdalet.push(await drive(lambdalet.url, durationSeconds)) },
        { name: 'bare', run: async () => results.bare.push(await drive(bare.url, durationSeconds)) },
      ],
      progress,
    )
    const pick = (name, key) => results[name].map(key)
    const where = `${CONNECTIONS} connections, ${environments} env`
    return [
      figure({
        id: 'http-throughput',
        title: `HTTP no-op invocations/s, ${where}: Invoke API vs bare Hono route`,
        unit: 'req/s',
        lambdalet: { label: 'Invoke API', samples: pick('lambdalet', (r) => r.requestsPerSecond) },
        baseline: { label: 'bare Hono', samples: pick('bare', (r) => r.requestsPerSecond) },
        target: { op: '>=', value: 0.75 },
      }),
      figure({
        id: 'http-p99',
        title: `HTTP p99 latency (ms), ${where}: Invoke API vs bare Hono route`,
        unit: 'ms',
        lambdalet: { label: 'Invoke API', samples: pick('lambdalet', (r) => r.latency.p99) },
        baseline: { label: 'bare Hono', samples: pick('bare', (r) => r.latency.p99) },
        target: { op: '<=', value: 2.0 },
      }),
    ]
  } finally {
    await Promise.all([lambdalet.close(), bare.close()])
    load.close()
  }
}
