// One side of the idle-RSS figure, alone in a fresh process: RSS before and
// after starting N idle warm environments (or N idle bare workers), sent to
// the parent as MB per environment.
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { whenWarm } from '../lib/when-warm.mjs'

const [side, count] = [process.argv[2], Number(process.argv[3])]
const codeDir = fileURLToPath(new URL('../fixtures/', import.meta.url))
const moduleUrl = new URL('../fixtures/noop.mjs', import.meta.url).href
const MB = 1024 * 1024

async function startHost() {
  const host = createHost({
    functions: { noop: { handler: 'noop.mjs', codeDir, maxConcurrency: count, minWarm: count } },
    logs: false,
  })
  await whenWarm(host, 'noop', count)
  return host
}

// Each side loads only its own code, before the first measurement: what
// an environment costs is the question, not what a library costs.
const { createHost } = side === 'host' ? await import('@lambdalet/host') : {}
const { PullLoop } = side === 'host' ? {} : await import('../baselines/pull-loop.mjs')

const settle = async () => {
  globalThis.gc?.()
  await sleep(300)
  globalThis.gc?.()
  return process.memoryUsage.rss()
}

const before = await settle()
const running = side === 'host' ? await startHost() : await PullLoop.start(moduleUrl, count)
const after = await settle()
process.send({ perEnvironmentMb: (after - before) / count / MB, beforeMb: before / MB, afterMb: after / MB })
await running.close()
process.disconnect()
