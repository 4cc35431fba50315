import { fileURLToPath } from 'node:url'
import { createHost } from '@lambdalet/host'
import { BareRuntimeApis, bareSpawn } from '../baselines/bare-runtime-api.mjs'
import { figure } from '../lib/figure.mjs'
import { closedLoop, interleave } from '../lib/measure.mjs'
import { whenWarm } from '../lib/when-warm.mjs'

const codeDir = fileURLToPath(new URL('../fixtures/', import.meta.url))
// The official Node runtime client, through the bin shim pnpm installs here.
const ric = fileURLToPath(new URL('../node_modules/.bin/aws-lambda-ric', import.meta.url))
const IN_FLIGHT = 64
const ENVIRONMENTS = 2

const processFunction = (settings = {}) => ({
  runtime: 'process',
  command: [ric],
  handler: 'noop.handler',
  codeDir,
  ...settings,
})

/** From nothing to the first result of a process function, in milliseconds; closing is not counted. */
async function freshProcessHost() {
  const start = performance.now()
  const host = createHost({ functions: { noop: processFunction() }, logs: false })
  await host.invoke('noop', {})
  const elapsed = performance.now() - start
  await host.close()
  return elapsed
}

const clientEnv = {
  _HANDLER: 'noop.handler',
  LAMBDA_TASK_ROOT: codeDir,
  AWS_LAMBDA_FUNCTION_NAME: 'noop',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
  AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/noop',
  AWS_LAMBDA_LOG_STREAM_NAME: 'bench',
}

function bareClient() {
  return bareSpawn([ric], clientEnv, codeDir)
}

/**
 * Process environments (aws-lambda-ric in child processes, the Runtime API
 * on loopback) beside thread environments: warm no-op invocations/s on 2
 * environments, and the cold start beside a bare spawn of the same client.
 */
export async function processEnvironments({ rounds, windowMs, warmupMs, coldSamples, progress }) {
  const host = createHost({
    functions: {
      process: processFunction({ maxConcurrency: ENVIRONMENTS, minWarm: ENVIRONMENTS }),
      thread: { handler: 'noop.mjs', codeDir, maxConcurrency: ENVIRONMENTS, minWarm: ENVIRONMENTS },
    },
    logs: false,
  })
  const bare = await BareRuntimeApis.start([ric], clientEnv, codeDir, ENVIRONMENTS)
  const figures = []
  try {
    await whenWarm(host, 'process', ENVIRONMENTS)
    await whenWarm(host, 'thread', ENVIRONMENTS)
    const calls = {
      'process env': () => host.invoke('process', {}),
      'thread env': () => host.invoke('thread', {}),
      // Stringified and parsed as host.invoke does.
      'bare Runtime API': () => bare.invoke(JSON.stringify({})).then(JSON.parse),
    }
    for (const call of Object.values(calls)) await closedLoop(call, IN_FLIGHT, warmupMs)
    const samples = await interleave(
      `process, ${ENVIRONMENTS} env`,
      rounds,
      Object.entries(calls).map(([name, call]) => ({ name, run: () => closedLoop(call, IN_FLIGHT, windowMs) })),
      progress,
    )
    figures.push(
      figure({
        id: 'process-warm',
        title: `no-op invocations/s, ${ENVIRONMENTS} env, ${IN_FLIGHT} in flight: process (aws-lambda-ric) vs thread environments`,
        unit: 'inv/s',
        lambdalet: { label: 'process env', samples: samples['process env'] },
        baseline: { label: 'thread env', samples: samples['thread env'] },
        target: { op: '>=', value: 0.5 },
      }),
      figure({
        id: 'process-warm-bare',
        title: `the same: process environments vs the same client on bare node:http Runtime APIs`,
        unit: 'inv/s',
        lambdalet: { label: 'process env', samples: samples['process env'] },
        baseline: { label: 'bare Runtime API', samples: samples['bare Runtime API'] },
        target: { op: '>=', value: 0.75 },
      }),
    )
  } finally {
    bare.close()
    await host.close()
  }
  // The first of each loads code from disk: not a sample.
  await freshProcessHost()
  await bareClient()
  const cold = await interleave(
    'process cold start',
    coldSamples,
    [
      { name: 'fresh host', run: freshProcessHost },
      { name: 'bare spawn', run: bareClient },
    ],
    progress,
  )
  figures.push(
    figure({
      id: 'process-cold-start',
      title:
        'process cold start, first invocation (ms): fresh host vs spawn of aws-lambda-ric on a bare node:http Runtime API',
      unit: 'ms',
      lambdalet: { label: 'fresh host', samples: cold['fresh host'] },
      baseline: { label: 'bare spawn', samples: cold['bare spawn'] },
      target: { op: '<=', value: 1.25 },
    }),
  )
  return figures
}
