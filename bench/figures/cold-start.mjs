import { once } from 'node:events'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { createHost } from '@lambdalet/host'
import { figure } from '../lib/figure.mjs'
import { interleave } from '../lib/measure.mjs'

const codeDir = fileURLToPath(new URL('../fixtures/', import.meta.url))
const moduleUrl = new URL('../fixtures/noop.mjs', import.meta.url).href
const coldWorker = fileURLToPath(new URL('../baselines/cold-worker.mjs', import.meta.url))

/** From nothing to the first result, in milliseconds; closing is not counted. */
async function freshHost(handler = 'noop.mjs') {
  const start = performance.now()
  const host = createHost({ functions: { noop: { handler, codeDir } }, logs: false })
  await host.invoke('noop', {})
  const elapsed = performance.now() - start
  await host.close()
  return elapsed
}

async function bareWorker() {
  const start = performance.now()
  const worker = new Worker(coldWorker, { workerData: { moduleUrl } })
  // Queued on the port until the worker listens, after its import().
  worker.postMessage(JSON.stringify({}))
  await once(worker, 'message')
  const elapsed = performance.now() - start
  await worker.terminate()
  return elapsed
}

/**
 * Cold starts in a running host: each environment is evicted right after it
 * answers, so every invocation starts a new thread and loads the handler
 * (for TypeScript, the bundle the host built once and finds current).
 */
function runningHost(handler) {
  const host = createHost({ functions: { noop: { handler, codeDir, idleTimeoutMs: 1 } }, logs: false })
  const gone = async () => {
    for (;;) {
      const { starting, idle, busy, dying } = host.stats().functions.noop.environments
      if (starting + idle + busy + dying === 0) return
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
  }
  return {
    async run() {
      await gone()
      const start = performance.now()
      await host.invoke('noop', {})
      return performance.now() - start
    },
    close: () => host.close(),
  }
}

export async function coldStart({ samples, progress }) {
  // The first of each loads code from disk into this process: not a sample.
  await freshHost()
  await bareWorker()
  const results = await interleave(
    'cold start',
    samples,
    [
      { name: 'fresh host', run: freshHost },
      { name: 'new Worker', run: bareWorker },
    ],
    progress,
  )
  const ts = runningHost('noop.ts')
  const mjs = runningHost('noop.mjs')
  await ts.run()
  await mjs.run()
  const typescript = await interleave(
    'cold start, TypeScript',
    samples,
    [
      { name: '.ts', run: ts.run },
      { name: '.mjs', run: mjs.run },
      { name: 'fresh host .ts', run: () => freshHost('noop.ts') },
      { name: 'fresh host .mjs', run: () => freshHost('noop.mjs') },
    ],
    progress,
  )
  await ts.close()
  await mjs.close()
  return [
    figure({
      id: 'cold-start-ts',
      title: 'cold start of a trivial .ts handler vs the same .mjs, new environment in a running host (ms)',
      unit: 'ms',
      lambdalet: { label: '.ts', samples: typescript['.ts'] },
      baseline: { label: '.mjs', samples: typescript['.mjs'] },
      target: { op: '<=', value: 1.1 },
    }),
    figure({
      id: 'cold-start-ts-first',
      title: 'first invocation of a fresh host, .ts (with its esbuild build) vs .mjs (ms)',
      unit: 'ms',
      lambdalet: { label: 'fresh host .ts', samples: typescript['fresh host .ts'] },
      baseline: { label: 'fresh host .mjs', samples: typescript['fresh host .mjs'] },
      target: { op: '<=', value: 2 },
    }),
    figure({
      id: 'cold-start',
      title:
        'cold start, first invocation of a trivial handler (ms): fresh host vs new Worker + import() + 1 round trip',
      unit: 'ms',
      lambdalet: { label: 'fresh host', samples: results['fresh host'] },
      baseline: { label: 'new Worker', samples: results['new Worker'] },
      target: { op: '<=', value: 1.25 },
    }),
  ]
}
