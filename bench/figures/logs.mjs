import { closeSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startBareHopServer } from '../baselines/bare-hop-http.mjs'
import { startBareServer } from '../baselines/bare-http.mjs'
import { startChild } from '../lib/child.mjs'
import { figure } from '../lib/figure.mjs'
import { startLoadGenerator } from '../lib/load-client.mjs'
import { interleave } from '../lib/measure.mjs'

const embeddedChild = fileURLToPath(new URL('./logs-embedded-child.mjs', import.meta.url))
const serveChild = fileURLToPath(new URL('./logs-serve-child.mjs', import.meta.url))
const codeDir = fileURLToPath(new URL('../fixtures/', import.meta.url))
const PATH = '/2015-03-31/functions/noop/invocations'
const ENVIRONMENTS = 2
const IN_FLIGHT = 64
const CONNECTIONS = 100

/**
 * The throughput figures with logs as a user has them: the default logs of
 * `createHost()` and `lambdalet serve`, their stdout a pipe (drained by this
 * process) or a file, beside the same with logs off. Each runs in a child
 * process, since a process has one stdout.
 */
export async function logs({ rounds, windowMs, warmupMs, durationSeconds, warmupSeconds, progress }) {
  const dir = mkdtempSync(join(tmpdir(), 'lambdalet-bench-logs-'))
  try {
    return [
      ...(await embeddedFigures({ rounds, windowMs, warmupMs, progress, dir })),
      ...(await httpFigures({ rounds, durationSeconds, warmupSeconds, progress, dir })),
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function embeddedFigures({ rounds, windowMs, warmupMs, progress, dir }) {
  const figures = []
  const where = `${ENVIRONMENTS} env, ${IN_FLIGHT} in flight`
  for (const to of ['pipe', 'file']) {
    progress(`logs, embedded, stdout to a ${to}`)
    const { stdout, written } = destination(to, dir, 'embedded')
    const child = startChild(embeddedChild, stdout)
    let samples
    let cpu
    try {
      ;({ samples, cpu } = await child.request({
        environments: ENVIRONMENTS,
        inFlight: IN_FLIGHT,
        rounds,
        windowMs,
        warmupMs,
        label: `logs, embedded, stdout to a ${to}`,
        baselines: to === 'pipe' ? ['pull loop', 'piscina.run'] : ['pull loop'],
      }))
    } finally {
      await child.close()
    }
    const side = (name) => ({ label: name, samples: samples[name] })
    const notes = written()
    figures.push(
      figure({
        id: `logs-embedded-${to}`,
        title: `no-op invocations/s, ${where}, default logs to a ${to}: host.invoke vs pull loop`,
        unit: 'inv/s',
        lambdalet: side('logs on'),
        baseline: side('pull loop'),
        target: { op: '>=', value: 0.85 },
        notes,
      }),
    )
    if (to === 'pipe') {
      figures.push(
        figure({
          id: 'logs-embedded-pipe-piscina',
          title: `no-op invocations/s, ${where}, default logs to a pipe: host.invoke vs piscina.run`,
          unit: 'inv/s',
          lambdalet: side('logs on'),
          baseline: side('piscina.run'),
          target: { op: '>=', value: 1.1 },
        }),
      )
    }
    figures.push(
      figure({
        id: `logs-embedded-${to}-cost`,
        title: `no-op invocations/s, ${where}: host.invoke, default logs to a ${to} vs logs off`,
        unit: 'inv/s',
        lambdalet: side('logs on'),
        baseline: side('logs off'),
        target: { op: '>=', value: 0.9 },
      }),
      figure({
        id: `logs-embedded-${to}-cpu`,
        title: `CPU µs per no-op invocation (all threads), ${where}: host.invoke, default logs to a ${to} vs logs off`,
        unit: 'µs',
        lambdalet: { label: 'logs on', samples: cpu['logs on'] },
        baseline: { label: 'logs off', samples: cpu['logs off'] },
        target: { op: '<=', value: 1.1 },
      }),
    )
  }
  return figures
}

async function httpFigures({ rounds, durationSeconds, warmupSeconds, progress, dir }) {
  const functions = {
    noop: { handler: 'noop.mjs', codeDir, maxConcurrency: ENVIRONMENTS, minWarm: ENVIRONMENTS, routes: [] },
  }
  const load = startLoadGenerator()
  const pipe = destination('pipe', dir, 'serve')
  const file = destination('file', dir, 'serve')
  const servers = {
    'logs to a pipe': startChild(serveChild, pipe.stdout),
    'logs to a file': startChild(serveChild, file.stdout),
    'logs off': startChild(serveChild, 'ignore'),
  }
  const bare = await startBareServer(PATH)
  const hop = await startBareHopServer(PATH, ENVIRONMENTS)
  try {
    const urls = { bare: bare.url, 'bare hop': hop.url }
    for (const [name, child] of Object.entries(servers)) {
      const logs = name === 'logs off' ? 'off' : 'default'
      urls[name] = (await child.request({ functions, logs })).url
    }
    const drive = async (url, duration) => {
      const result = await load.run({
        url: url + PATH,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        connections: CONNECTIONS,
        duration,
      })
      const failures = result.errors + result.timeouts + result.non2xx
      if (failures > 0) throw new Error(`${url}: ${failures} of ${result.total} requests failed`)
      return result
    }
    for (const url of Object.values(urls)) await drive(url, warmupSeconds)
    const results = Object.fromEntries(Object.keys(urls).map((name) => [name, []]))
    await interleave(
      `logs, HTTP, ${CONNECTIONS} connections`,
      rounds,
      Object.entries(urls).map(([name, url]) => ({
        name,
        run: async () => results[name].push(await drive(url, durationSeconds)),
      })),
      progress,
    )
    const rps = (name) => ({ label: name, samples: results[name].map((r) => r.requestsPerSecond) })
    const p99 = (name) => ({ label: name, samples: results[name].map((r) => r.latency.p99) })
    const where = `${CONNECTIONS} connections, ${ENVIRONMENTS} env`
    const figures = [
      figure({
        id: 'logs-http-hop',
        // The Invoke API's own target, met or not by the bare mechanism: what the thread hop alone allows here.
        title: `HTTP no-op invocations/s, ${where}: bare Hono route on the bare pull loop vs bare Hono route`,
        unit: 'req/s',
        lambdalet: rps('bare hop'),
        baseline: rps('bare'),
        target: { op: '>=', value: 0.5 },
      }),
    ]
    for (const [to, written] of [
      ['pipe', pipe.written],
      ['file', file.written],
    ]) {
      const name = `logs to a ${to}`
      figures.push(
        figure({
          id: `logs-http-${to}`,
          title: `HTTP no-op invocations/s, ${where}, default logs to a ${to}: Invoke API vs bare Hono route`,
          unit: 'req/s',
          lambdalet: rps(name),
          baseline: rps('bare'),
          target: { op: '>=', value: 0.5 },
          notes: written(),
        }),
        figure({
          id: `logs-http-${to}-hop`,
          title: `HTTP no-op invocations/s, ${where}, default logs to a ${to}: Invoke API vs bare Hono route on the bare pull loop`,
          unit: 'req/s',
          lambdalet: rps(name),
          baseline: rps('bare hop'),
          target: { op: '>=', value: 0.85 },
        }),
        figure({
          id: `logs-http-${to}-p99`,
          title: `HTTP p99 latency (ms), ${where}, default logs to a ${to}: Invoke API vs bare Hono route`,
          unit: 'ms',
          lambdalet: p99(name),
          baseline: p99('bare'),
          target: { op: '<=', value: 2.5 },
        }),
        figure({
          id: `logs-http-${to}-cost`,
          title: `HTTP no-op invocations/s, ${where}: Invoke API, default logs to a ${to} vs logs off`,
          unit: 'req/s',
          lambdalet: rps(name),
          baseline: rps('logs off'),
          target: { op: '>=', value: 0.9 },
        }),
      )
    }
    return figures
  } finally {
    await Promise.all([...Object.values(servers).map((child) => child.close()), bare.close(), hop.close()])
    load.close()
  }
}

/** A child's stdout: a pipe, or a new file in `dir`; `written()` says how much came out. */
function destination(to, dir, name) {
  if (to === 'pipe') return { stdout: 'pipe', written: () => undefined }
  const path = join(dir, `${name}.log`)
  const fd = openSync(path, 'w')
  return {
    stdout: fd,
    written: () => {
      closeSync(fd)
      return `${(statSync(path).size / 2 ** 20).toFixed(0)} MB of logs written to the file`
    },
  }
}
