import { request } from 'node:http'
import { performance } from 'node:perf_hooks'
import autocannon from 'autocannon'
import { type RunningServer, startServer } from '../server/start-server.js'
import type { BenchTarget } from './bench-target.js'
import { WARM_UP_PER_ENVIRONMENT } from './embedded-driver.js'
import { type ColdSample, countError, InitError, type LevelProgress, type LevelRun, type Plan } from './measurement.js'
import { ReportCollector } from './report-collector.js'

const JSON_HEADERS = { 'content-type': 'application/json' }

/** What `lambdalet serve` runs, on 127.0.0.1 and a free port, for this function alone. */
function start(target: BenchTarget, concurrency: number, collector: ReportCollector): Promise<RunningServer> {
  return startServer({
    functions: { [target.name]: { ...target.options, maxConcurrency: concurrency, routes: [] } },
    ...(target.region === undefined ? {} : { region: target.region }),
    ...(target.accountId === undefined ? {} : { accountId: target.accountId }),
    port: 0,
    logs: collector.entry,
    logger: () => {},
    // Functions get what they get under `serve`: the server's credentials and system variables.
    processEnv: process.env,
    drainTimeoutMs: 1_000,
  })
}

const invokePath = (name: string) => `/2015-03-31/functions/${name}/invocations`

/** How the Invoke API said an invocation went: `null`, a function error's type, or a service error's. */
function errorTypeOf(status: number, body: string, header: (name: string) => string | undefined): string | null {
  if (status >= 200 && status < 300) {
    if (header('x-amz-function-error') === undefined) return null
    try {
      return (JSON.parse(body) as { errorType?: string }).errorType ?? 'Unhandled'
    } catch {
      return 'Unhandled'
    }
  }
  return header('x-amzn-errortype') ?? `HTTP ${status}`
}

interface Posted {
  status: number
  body: string
  headers: Record<string, string | string[] | undefined>
}

/** One request on its own connection (`Connection: close`), so nothing is left open for `close()` to wait on. */
function post(url: string, body: string): Promise<Posted> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: JSON_HEADERS, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function invoke(url: string, event: string): Promise<{ errorType: string | null; body: string }> {
  const response = await post(url, event)
  const errorType = errorTypeOf(response.status, response.body, (name) => {
    const value = response.headers[name]
    return Array.isArray(value) ? value[0] : value
  })
  return { errorType, body: response.body }
}

function failIfInitFailed(
  target: BenchTarget,
  collector: ReportCollector,
  answer: { errorType: string | null; body: string },
): void {
  if (collector.initFailure === null) return
  let message = collector.initFailure
  try {
    message = (JSON.parse(answer.body) as { errorMessage?: string }).errorMessage ?? message
  } catch {
    // keep the INIT_REPORT line
  }
  throw new InitError(`${target.name} failed to initialise: ${answer.errorType ?? 'error'}: ${message}`)
}

/** A fresh server (fresh host, fresh worker thread) and its first invocation through the Invoke API. */
export async function httpColdSample(target: BenchTarget, event: string): Promise<ColdSample> {
  const collector = new ReportCollector()
  collector.recording = true
  const server = await start(target, 1, collector)
  try {
    const url = server.url + invokePath(target.name)
    const started = performance.now()
    const answer = await invoke(url, event)
    const latencyMs = performance.now() - started
    failIfInitFailed(target, collector, answer)
    return { latencyMs, errorType: answer.errorType, report: collector.take()[0] }
  } finally {
    await server.close()
  }
}

/**
 * autocannon with `concurrency` connections against the Invoke API, each
 * sending its next request when answered, the events in turn; the server's
 * host may run `concurrency` environments, all warmed up first.
 */
export async function httpLevel(
  target: BenchTarget,
  concurrency: number,
  plan: Plan,
  events: readonly string[],
  nextEvent: () => string,
  progress: LevelProgress,
): Promise<LevelRun> {
  const collector = new ReportCollector()
  const server = await start(target, concurrency, collector)
  try {
    const url = server.url + invokePath(target.name)
    const warmUp = async () => {
      for (let i = 0; i < WARM_UP_PER_ENVIRONMENT; i++)
        failIfInitFailed(target, collector, await invoke(url, nextEvent()))
    }
    await Promise.all(Array.from({ length: concurrency }, warmUp))

    collector.recording = true
    const run: Omit<LevelRun, 'reports'> = { invocations: 0, errorsByType: {}, latencies: [], elapsedMs: 0 }
    const onResponse = (
      status: number,
      body: string,
      _context: object,
      headers: Record<string, unknown> | undefined,
    ) => {
      const errorType = errorTypeOf(status, body, (name) => headerValue(headers, name))
      if (errorType !== null) countError(run.errorsByType, errorType)
    }
    const connections = 'requests' in plan ? Math.min(concurrency, plan.requests) : concurrency
    const started = performance.now()
    progress.measuringSince = started
    await new Promise<void>((resolve, reject) => {
      const instance = autocannon(
        {
          url,
          connections,
          ...('requests' in plan ? { amount: plan.requests } : { duration: plan.durationMs / 1000 }),
          requests: events.map((body) => ({ method: 'POST' as const, headers: JSON_HEADERS, body, onResponse })),
        },
        (error: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()),
      )
      instance.on('response', (_client, _status, _bytes, responseTime) => {
        run.latencies.push(responseTime)
        run.invocations++
        progress.completed++
      })
      instance.on('reqError', (error: { code?: string } | undefined) => {
        run.invocations++
        progress.completed++
        countError(run.errorsByType, `connection error${error?.code ? ` (${error.code})` : ''}`)
      })
    })
    run.elapsedMs = performance.now() - started
    collector.recording = false
    return { ...run, reports: collector.take() }
  } finally {
    await server.close()
  }
}

function headerValue(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return String(Array.isArray(value) ? value[0] : value)
  }
  return undefined
}
