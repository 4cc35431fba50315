import { fileURLToPath } from 'node:url'
import { startBareServer } from '../baselines/bare-http.mjs'
import { httpDriver, httpFigures } from '../lib/http-load.mjs'
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
  const drive = httpDriver(load, PATH, CONNECTIONS)
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
    const where = `${CONNECTIONS} connections, ${environments} env`
    return httpFigures({
      id: 'http',
      title: {
        throughput: `HTTP no-op invocations/s, ${where}: Invoke API vs bare Hono route`,
        p99: `HTTP p99 latency (ms), ${where}: Invoke API vs bare Hono route`,
      },
      ours: { label: 'Invoke API', results: results.lambdalet },
      theirs: { label: 'bare Hono', results: results.bare },
      targets: { throughput: 0.75, p99: 2.0 },
    })
  } finally {
    await Promise.all([lambdalet.close(), bare.close()])
    load.close()
  }
}
