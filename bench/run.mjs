// `pnpm bench`: lambdalet side by side with its baselines. Every figure is
// measured interleaved over several rounds and reported as medians, with its
// ratio to the baseline and whether that meets the target. Always exits 0:
// the targets are where we intend to be, not assertions.
import { mkdir, writeFile } from 'node:fs/promises'
import { availableParallelism, cpus, totalmem } from 'node:os'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { asyncEvents } from './figures/async.mjs'
import { coldStart } from './figures/cold-start.mjs'
import { embedded } from './figures/embedded.mjs'
import { gateway } from './figures/gateway.mjs'
import { http } from './figures/http.mjs'
import { idleRss } from './figures/idle-rss.mjs'
import { logs } from './figures/logs.mjs'
import { payload } from './figures/payload.mjs'
import { processEnvironments } from './figures/process.mjs'
import { streaming } from './figures/streaming.mjs'
import { renderTable } from './lib/table.mjs'

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

const sections = {
  embedded: (s) => embedded({ rounds: s.rounds, windowMs: s.windowMs, warmupMs: s.warmupMs, progress }),
  http: (s) =>
    http({
      rounds: s.rounds,
      durationSeconds: s.httpSeconds,
      warmupSeconds: s.httpWarmupSeconds,
      environments: 2,
      progress,
    }),
  gateway: (s) =>
    gateway({ rounds: s.rounds, durationSeconds: s.httpSeconds, warmupSeconds: s.httpWarmupSeconds, progress }),
  logs: (s) =>
    logs({
      rounds: s.rounds,
      windowMs: s.windowMs,
      warmupMs: s.warmupMs,
      durationSeconds: s.httpSeconds,
      warmupSeconds: s.httpWarmupSeconds,
      progress,
    }),
  cold: (s) => coldStart({ samples: s.coldSamples, progress }),
  process: (s) =>
    processEnvironments({
      rounds: s.rounds,
      windowMs: s.windowMs,
      warmupMs: s.warmupMs,
      coldSamples: s.coldSamples,
      progress,
    }),
  payload: (s) => payload({ rounds: s.rounds, windowMs: s.windowMs, warmupMs: s.warmupMs, progress }),
  rss: (s) => idleRss({ rounds: s.rssRounds, environments: s.rssEnvironments, progress }),
  stream: (s) => streaming({ rounds: s.streamRounds, megabytes: s.streamMegabytes, progress }),
  async: (s) =>
    asyncEvents({
      rounds: s.asyncRounds,
      durationSeconds: s.httpSeconds,
      warmupSeconds: s.httpWarmupSeconds,
      environments: 2,
      progress,
    }),
}

if (args.help) {
  console.log(`Usage: pnpm bench [--quick] [--only ${Object.keys(sections).join(',')}]`)
  process.exit(0)
}

const settings = args.quick
  ? {
      rounds: 2,
      windowMs: 500,
      warmupMs: 200,
      httpSeconds: 1,
      httpWarmupSeconds: 1,
      coldSamples: 5,
      rssRounds: 1,
      rssEnvironments: 4,
      asyncRounds: 1,
      streamRounds: 2,
      streamMegabytes: 32,
    }
  : {
      rounds: 7,
      windowMs: 1000,
      warmupMs: 500,
      httpSeconds: 3,
      httpWarmupSeconds: 2,
      coldSamples: 21,
      rssRounds: 3,
      rssEnvironments: 8,
      asyncRounds: 3,
      streamRounds: 7,
      streamMegabytes: 128,
    }

const selected = args.only === undefined ? Object.keys(sections) : args.only.split(',').map((name) => name.trim())
for (const name of selected) {
  if (!(name in sections)) {
    console.error(`Unknown section \`${name}\` in --only; expected some of ${Object.keys(sections).join(', ')}`)
    process.exit(2)
  }
}

function progress(text) {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${text}`)
  else process.stderr.write(`${text}\n`)
}

const started = performance.now()
const figures = []
for (const name of selected) figures.push(...(await sections[name](settings)))
const seconds = (performance.now() - started) / 1000
if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K')

console.log(renderTable(figures))
const met = figures.filter((f) => f.met).length
console.log(`\n${met} of ${figures.length} targets met, in ${seconds.toFixed(0)} s${args.quick ? ' (--quick)' : ''}.`)

const time = new Date()
const report = {
  time: time.toISOString(),
  quick: args.quick,
  settings,
  durationSeconds: seconds,
  machine: {
    node: process.version,
    cpu: cpus()[0]?.model,
    cores: availableParallelism(),
    memoryGb: totalmem() / 2 ** 30,
  },
  figures,
}
const dir = new URL('./results/', import.meta.url)
await mkdir(dir, { recursive: true })
const file = new URL(`${time.toISOString().replaceAll(':', '-')}.json`, dir)
await writeFile(file, JSON.stringify(report, null, 2) + '\n')
console.log(`Figures written to bench/results/${file.pathname.split('/').pop()}`)
