// The embedded figures of the logs section, in a process whose stdout is
// where the user's logs go (a pipe or a file): `createHost()` with its
// default logs beside the same host with `logs: false` and the baselines.
import { fileURLToPath } from 'node:url'
import { createHost } from '@lambdalet/host'
import { Piscina } from 'piscina'
import { PullLoop } from '../baselines/pull-loop.mjs'
import { serveRequests } from '../lib/child.mjs'
import { closedLoop, interleave } from '../lib/measure.mjs'
import { whenWarm } from '../lib/when-warm.mjs'

const codeDir = fileURLToPath(new URL('../fixtures/', import.meta.url))
const moduleUrl = new URL('../fixtures/noop.mjs', import.meta.url).href
const piscinaTask = fileURLToPath(new URL('../baselines/piscina-task.cjs', import.meta.url))
const EVENT = {}
const EVENT_TEXT = JSON.stringify(EVENT)

serveRequests(async ({ environments, inFlight, rounds, windowMs, warmupMs, label, baselines }) => {
  const fn = { handler: 'noop.mjs', codeDir, maxConcurrency: environments, minWarm: environments }
  // Default logs: what a user of createHost() gets, written to this process's stdout.
  const logsOn = createHost({ functions: { noop: fn } })
  const logsOff = createHost({ functions: { noop: fn }, logs: false })
  const loop = await PullLoop.start(moduleUrl, environments)
  const pool = baselines.includes('piscina.run')
    ? new Piscina({ filename: piscinaTask, minThreads: environments, maxThreads: environments })
    : null
  try {
    await Promise.all([whenWarm(logsOn, 'noop', environments), whenWarm(logsOff, 'noop', environments)])
    const calls = {
      'logs on': () => logsOn.invoke('noop', EVENT),
      'logs off': () => logsOff.invoke('noop', EVENT),
      'pull loop': () => loop.invoke(EVENT),
    }
    if (pool !== null) calls['piscina.run'] = () => pool.run(EVENT_TEXT).then(JSON.parse)
    for (const call of Object.values(calls)) await closedLoop(call, inFlight, warmupMs)
    // The process's CPU time per invocation (every thread): unlike
    // invocations/s it hardly moves when other processes take the cores.
    const cpu = Object.fromEntries(Object.keys(calls).map((name) => [name, []]))
    const variants = Object.entries(calls).map(([name, call]) => ({
      name,
      run: async () => {
        let count = 0
        const counted = () => call().then(() => count++)
        const before = process.cpuUsage()
        const perSecond = await closedLoop(counted, inFlight, windowMs)
        const used = process.cpuUsage(before)
        cpu[name].push((used.user + used.system) / count)
        return perSecond
      },
    }))
    const samples = await interleave(label, rounds, variants, (text) => process.stderr.write(`${text}\n`))
    return { samples, cpu }
  } finally {
    await Promise.all([logsOn.close(), logsOff.close(), loop.close(), pool?.destroy()])
  }
})
