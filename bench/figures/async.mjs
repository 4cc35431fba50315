import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { startServer } from '@lambdalet/cli'
import { figure } from '../lib/figure.mjs'
import { startLoadGenerator } from '../lib/load-client.mjs'
import { interleave } from '../lib/measure.mjs'
import { startRedis } from '../lib/redis.mjs'
import { whenWarm } from '../lib/when-warm.mjs'

const codeDir = fileURLToPath(new URL('../fixtures/', import.meta.url))
const PATH = '/2015-03-31/functions/noop/invocations'
const CONNECTIONS = 100

/**
 * Durable Event invocations on each store: how many the server accepts per
 * second (stored before the 202) and how many it runs end to end, against
 * the same load sent as RequestResponse to the same server.
 */
export async function asyncEvents({ rounds, durationSeconds, warmupSeconds, environments, progress }) {
  const load = startLoadGenerator()
  const redis = await startRedis()
  const dir = mkdtempSync(join(tmpdir(), 'lambdalet-bench-store-'))
  const stores = [
    { name: 'embedded', store: join(dir, 'store') },
    { name: 'memory', store: 'memory' },
    ...(redis === null ? [] : [{ name: 'redis', store: redis.url }]),
  ]
  const figures = []
  try {
    for (const { name, store } of stores) {
      const server = await startServer({
        functions: {
          noop: { handler: 'noop.mjs', codeDir, maxConcurrency: environments, minWarm: environments, routes: [] },
        },
        port: 0,
        logs: false,
        logger: () => {},
        drainTimeoutMs: 1_000,
        store,
      })
      await whenWarm(server.host, 'noop', environments)
      const drive = async (type, duration, amount) => {
        const result = await load.run({
          url: server.url + PATH,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-amz-invocation-type': type },
          body: '{}',
          connections: CONNECTIONS,
          ...(amount === undefined ? { duration } : { amount }),
        })
        const failures = result.errors + result.timeouts + result.non2xx
        if (failures > 0) throw new Error(`${name} ${type}: ${failures} of ${result.total} requests failed`)
        return result
      }
      /** Sends Events for `duration`, then waits for the queue to run them all: accepted/s and run/s. */
      const events = async (duration, amount) => {
        const before = server.events.asyncStats().functions.noop.succeeded
        const started = Date.now()
        const result = await drive('Event', duration, amount)
        const accepted = result.total
        while (server.events.asyncStats().functions.noop.succeeded - before < accepted) await sleep(5)
        return { accepted: result.requestsPerSecond, endToEnd: accepted / ((Date.now() - started) / 1000) }
      }
      try {
        await drive('RequestResponse', warmupSeconds)
        await events(warmupSeconds)
        const samples = { sync: [], events: [] }
        await interleave(
          `Event invocations on the ${name} store`,
          rounds,
          [
            {
              name: 'RequestResponse',
              run: async () => samples.sync.push((await drive('RequestResponse', durationSeconds)).requestsPerSecond),
            },
            { name: 'Event', run: async () => samples.events.push(await events(durationSeconds)) },
          ],
          progress,
        )
        // Memory flat over a long run: RSS once the store has been through
        // 50,000 events (its file pages mapped, code optimised), then after
        // 100,000 more. Measured here: the heap stays at ~11 MB throughout.
        let rss
        if (name !== 'memory') {
          progress(`Event invocations on the ${name} store: 150,000 events for RSS`)
          await events(undefined, 50_000)
          const rssBefore = process.memoryUsage().rss
          await events(undefined, 100_000)
          rss = { before: rssBefore / 2 ** 20, after: process.memoryUsage().rss / 2 ** 20 }
        }
        const target = { embedded: 0.5, memory: 0.5, redis: 0.3 }[name]
        figures.push(
          figure({
            id: `async-accept-${name}`,
            title: `Event invocations accepted/s (stored before the 202), ${name} store, ${CONNECTIONS} connections: vs RequestResponse`,
            unit: 'req/s',
            lambdalet: { label: 'Event', samples: samples.events.map((s) => s.accepted) },
            baseline: { label: 'RequestResponse', samples: samples.sync },
            target: { op: '>=', value: target },
          }),
          figure({
            id: `async-end-to-end-${name}`,
            title: `Event invocations run/s end to end (accepted → succeeded), ${name} store: vs RequestResponse`,
            unit: 'events/s',
            lambdalet: { label: 'Event', samples: samples.events.map((s) => s.endToEnd) },
            baseline: { label: 'RequestResponse', samples: samples.sync },
            target: { op: '>=', value: target },
          }),
        )
        if (rss !== undefined) {
          figures.push(
            figure({
              id: `async-rss-${name}`,
              title: `Suite process RSS (MB) after 100,000 more Event invocations, ${name} store: vs before them`,
              unit: 'MB',
              lambdalet: { label: 'after', samples: [rss.after] },
              baseline: { label: 'before', samples: [rss.before] },
              target: { op: '<=', value: 1.2 },
            }),
          )
        }
      } finally {
        await server.close()
      }
    }
  } finally {
    load.close()
    await redis?.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  return figures
}
