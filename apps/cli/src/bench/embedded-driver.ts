import { performance } from 'node:perf_hooks'
import { createHost, type Host, isLambdaError } from '@lambdalet/host'
import type { BenchTarget } from './bench-target.js'
import { type ColdSample, countError, InitError, type LevelProgress, type LevelRun, type Plan } from './measurement.js'
import { ReportCollector } from './report-collector.js'

/** Warm-up invocations per environment before a level is measured (the first is its cold start). */
export const WARM_UP_PER_ENVIRONMENT = 5

function startHost(target: BenchTarget, concurrency: number, collector: ReportCollector): Host {
  return createHost({
    functions: { [target.name]: { ...target.options, maxConcurrency: concurrency } },
    logs: collector.entry,
    ...(target.region === undefined ? {} : { region: target.region }),
    ...(target.accountId === undefined ? {} : { accountId: target.accountId }),
    // Functions get what they get under `serve`: the server's credentials and system variables.
    processEnv: process.env,
    drainTimeoutMs: 0,
  })
}

interface Answer {
  errorType: string | null
  message?: string
}

async function invoke(host: Host, name: string, event: string): Promise<Answer> {
  try {
    const result = await host.invokeRaw(name, event)
    if (!result.functionError) return { errorType: null }
    const { errorMessage } = JSON.parse(result.payload) as { errorMessage?: string }
    return { errorType: result.errorType ?? 'Unhandled', message: errorMessage ?? '' }
  } catch (error) {
    // Service errors: a throttle, or the host closing.
    if (isLambdaError(error)) return { errorType: error.errorType, message: error.errorMessage }
    throw error
  }
}

function failIfInitFailed(target: BenchTarget, collector: ReportCollector, answer: Answer): void {
  if (collector.initFailure === null) return
  throw new InitError(
    `${target.name} failed to initialise: ${answer.errorType ?? 'error'}: ${answer.message ?? collector.initFailure}`,
  )
}

/** A fresh host, so a fresh worker thread with fresh module state, and its first invocation. */
export async function embeddedColdSample(target: BenchTarget, event: string): Promise<ColdSample> {
  const collector = new ReportCollector()
  collector.recording = true
  const host = startHost(target, 1, collector)
  try {
    const start = performance.now()
    const answer = await invoke(host, target.name, event)
    const latencyMs = performance.now() - start
    failIfInitFailed(target, collector, answer)
    return { latencyMs, errorType: answer.errorType, report: collector.take()[0] }
  } finally {
    await host.close()
  }
}

/**
 * `concurrency` callers, each invoking again as soon as it is answered (a
 * closed loop), on a host allowed exactly `concurrency` environments, all
 * warmed up before measuring starts.
 */
export async function embeddedLevel(
  target: BenchTarget,
  concurrency: number,
  plan: Plan,
  nextEvent: () => string,
  progress: LevelProgress,
): Promise<LevelRun> {
  const collector = new ReportCollector()
  const host = startHost(target, concurrency, collector)
  try {
    const warmUp = async () => {
      for (let i = 0; i < WARM_UP_PER_ENVIRONMENT; i++) {
        failIfInitFailed(target, collector, await invoke(host, target.name, nextEvent()))
      }
    }
    await Promise.all(Array.from({ length: concurrency }, warmUp))

    collector.recording = true
    const run: Omit<LevelRun, 'reports'> = { invocations: 0, errorsByType: {}, latencies: [], elapsedMs: 0 }
    let started = 0
    const start = performance.now()
    progress.measuringSince = start
    const deadline = 'durationMs' in plan ? start + plan.durationMs : Infinity
    const limit = 'requests' in plan ? plan.requests : Infinity
    const caller = async () => {
      while (started < limit && performance.now() < deadline) {
        started++
        const sent = performance.now()
        const answer = await invoke(host, target.name, nextEvent())
        run.latencies.push(performance.now() - sent)
        run.invocations++
        progress.completed++
        if (answer.errorType !== null) countError(run.errorsByType, answer.errorType)
      }
    }
    await Promise.all(Array.from({ length: concurrency }, caller))
    run.elapsedMs = performance.now() - start
    collector.recording = false
    return { ...run, reports: collector.take() }
  } finally {
    await host.close()
  }
}
