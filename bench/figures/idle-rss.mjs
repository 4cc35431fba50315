import { fork } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { figure } from '../lib/figure.mjs'
import { interleave } from '../lib/measure.mjs'

const child = fileURLToPath(new URL('./idle-rss-child.mjs', import.meta.url))

/** Each sample in a fresh process, so neither side's RSS carries the other's pages. */
async function measure(side, count) {
  const worker = fork(child, [side, String(count)], { execArgv: ['--expose-gc'] })
  let result
  worker.on('message', (message) => {
    result = message
  })
  const [code] = await once(worker, 'exit')
  if (result === undefined) throw new Error(`The idle-RSS child (${side}) exited with code ${code} before reporting`)
  return result.perEnvironmentMb
}

export async function idleRss({ rounds, environments, progress }) {
  const samples = await interleave(
    `idle RSS, ${environments} environments`,
    rounds,
    [
      { name: 'host', run: () => measure('host', environments) },
      { name: 'bare workers', run: () => measure('bare', environments) },
    ],
    progress,
  )
  return [
    figure({
      id: 'idle-rss',
      title: `RSS per idle warm environment (MB), ${environments} of them: host vs bare workers`,
      unit: 'MB',
      lambdalet: { label: 'host', samples: samples.host },
      baseline: { label: 'bare workers', samples: samples['bare workers'] },
      target: { op: '<=', value: 1.2 },
    }),
  ]
}
