import { fileURLToPath } from 'node:url'
import { createHost } from '@lambdalet/host'
import { PullLoop } from '../baselines/pull-loop.mjs'
import { largeEvent } from '../fixtures/large-event.mjs'
import { figure } from '../lib/figure.mjs'
import { closedLoop, interleave } from '../lib/measure.mjs'
import { whenWarm } from '../lib/when-warm.mjs'

const codeDir = fileURLToPath(new URL('../fixtures/', import.meta.url))
const moduleUrl = new URL('../fixtures/echo.mjs', import.meta.url).href

/** A 1 MB event echoed back: round trips/s, one environment, one in flight. */
export async function payload({ rounds, windowMs, warmupMs, progress }) {
  const event = largeEvent(1024 * 1024)
  const host = createHost({
    functions: { echo: { handler: 'echo.mjs', codeDir, maxConcurrency: 1, minWarm: 1 } },
    logs: false,
  })
  const loop = await PullLoop.start(moduleUrl, 1)
  try {
    await whenWarm(host, 'echo', 1)
    const calls = {
      'host.invoke': () => host.invoke('echo', event),
      'pull loop': () => loop.invoke(event),
    }
    for (const call of Object.values(calls)) await closedLoop(call, 1, warmupMs)
    const samples = await interleave(
      '1 MB round trip',
      rounds,
      Object.entries(calls).map(([name, call]) => ({ name, run: () => closedLoop(call, 1, windowMs) })),
      progress,
    )
    return [
      figure({
        id: 'payload-1mb',
        title: '1 MB JSON event and result, round trips/s, 1 env, 1 in flight: host.invoke vs pull loop',
        unit: 'rt/s',
        lambdalet: { label: 'host.invoke', samples: samples['host.invoke'] },
        baseline: { label: 'pull loop', samples: samples['pull loop'] },
        target: { op: '>=', value: 0.8 },
        notes: `event ${(JSON.stringify(event).length / 1024).toFixed(0)} KiB of JSON`,
      }),
    ]
  } finally {
    await Promise.all([host.close(), loop.close()])
  }
}
