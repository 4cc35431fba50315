import { fileURLToPath } from 'node:url'
import { createHost } from '@lambdalet/host'
import { Piscina } from 'piscina'
import { PullLoop } from '../baselines/pull-loop.mjs'
import { figure } from '../lib/figure.mjs'
import { closedLoop, interleave } from '../lib/measure.mjs'
import { whenWarm } from '../lib/when-warm.mjs'

const codeDir = fileURLToPath(new URL('../fixtures/', import.meta.url))
const moduleUrl = new URL('../fixtures/noop.mjs', import.meta.url).href
const piscinaTask = fileURLToPath(new URL('../baselines/piscina-task.cjs', import.meta.url))
const IN_FLIGHT = 64
const EVENT = {}
const EVENT_TEXT = JSON.stringify(EVENT)

/** No-op invocations/s with 64 in flight, on 1 and 2 environments. */
export async function embedded({ rounds, windowMs, warmupMs, progress }) {
  const figures = []
  for (const environments of [1, 2]) {
    const host = createHost({
      functions: { noop: { handler: 'noop.mjs', codeDir, maxConcurrency: environments, minWarm: environments } },
      logs: false,
    })
    const loop = await PullLoop.start(moduleUrl, environments)
    // Piscina at its defaults (sync atomics, its fast path), threads fixed.
    const pool = new Piscina({ filename: piscinaTask, minThreads: environments, maxThreads: environments })
    try {
      await whenWarm(host, 'noop', environments)
      const calls = {
        'host.invoke': () => host.invoke('noop', EVENT),
        'host.invokeRaw': () => host.invokeRaw('noop', EVENT_TEXT),
        'pull loop': () => loop.invoke(EVENT),
        'piscina.run': () => pool.run(EVENT_TEXT).then(JSON.parse),
      }
      // Warm every side (threads started, code optimised) before measuring.
      for (const call of Object.values(calls)) await closedLoop(call, IN_FLIGHT, warmupMs)
      const variants = Object.entries(calls).map(([name, call]) => ({
        name,
        run: () => closedLoop(call, IN_FLIGHT, windowMs),
      }))
      const samples = await interleave(`embedded, ${environments} env`, rounds, variants, progress)
      const side = (name) => ({ label: name, samples: samples[name] })
      const where = `${environments} env, ${IN_FLIGHT} in flight`
      figures.push(
        figure({
          id: `embedded-invoke-${environments}`,
          title: `no-op invocations/s, ${where}: host.invoke vs pull loop`,
          unit: 'inv/s',
          lambdalet: side('host.invoke'),
          baseline: side('pull loop'),
          target: { op: '>=', value: 0.85 },
        }),
        figure({
          id: `embedded-raw-${environments}`,
          title: `no-op invocations/s, ${where}: host.invokeRaw vs pull loop`,
          unit: 'inv/s',
          lambdalet: side('host.invokeRaw'),
          baseline: side('pull loop'),
          target: { op: '>=', value: 0.85 },
        }),
        figure({
          id: `embedded-piscina-${environments}`,
          title: `no-op invocations/s, ${where}: host.invoke vs piscina.run`,
          unit: 'inv/s',
          lambdalet: side('host.invoke'),
          baseline: side('piscina.run'),
          target: { op: '>=', value: 1.2 },
        }),
      )
    } finally {
      await Promise.all([host.close(), loop.close(), pool.destroy()])
    }
  }
  return figures
}
