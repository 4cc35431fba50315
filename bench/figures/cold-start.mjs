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
async function freshHost() {
  const start = performance.now()
  const host = createHost({ functions: { noop: { handler: 'noop.mjs', codeDir } }, logs: false })
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
  return [
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
