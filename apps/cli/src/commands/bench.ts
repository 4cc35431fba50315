import { writeFile } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import { BENCH_HELP } from '../bench/bench-help.js'
import { type BenchOptions, parseBenchArgs } from '../bench/bench-options.js'
import { type BenchResult, billing, coldResult, SCHEMA, type WarmLevel, warmLevel } from '../bench/bench-result.js'
import { type BenchTarget, resolveTarget } from '../bench/bench-target.js'
import { anyGated, compare, readBase, regressions, renderComparison } from '../bench/compare.js'
import { embeddedColdSample, embeddedLevel } from '../bench/embedded-driver.js'
import { httpColdSample, httpLevel } from '../bench/http-driver.js'
import {
  type ColdSample,
  eventCycle,
  InitError,
  type LevelProgress,
  type LevelRun,
  type Plan,
} from '../bench/measurement.js'
import { ProgressBar } from '../bench/progress-bar.js'
import { renderSummary } from '../bench/render.js'
import { RssSampler } from '../bench/rss-sampler.js'

/** The host's defaults, shown when the function does not set them. */
const DEFAULT_MEMORY_MB = 128
const DEFAULT_TIMEOUT_MS = 3000

/**
 * `lambdalet bench`: cold samples, then each warm level, then the summary
 * (stdout), `--json` and `--compare`. Resolves with the exit code: 1 when
 * `--fail-on-regression` finds a regression or the function cannot start.
 */
export async function runBench(argv: string[]): Promise<number> {
  const options = await parseBenchArgs(argv)
  if (options === null) {
    process.stdout.write(BENCH_HELP + '\n')
    return 0
  }
  const target = await resolveTarget(options)
  // Read before a run that may take minutes, so a wrong path fails at once.
  const base = options.compare === undefined ? undefined : await readBase(options.compare)

  const startedAt = new Date()
  const started = performance.now()
  const progress = new ProgressBar(process.stderr)
  const rss = new RssSampler()
  const nextEvent = eventCycle(options.events)
  const coldSamples: ColdSample[] = []
  const runs: LevelRun[] = []
  const levels: WarmLevel[] = []
  const memoryMb = target.options.memoryMb ?? DEFAULT_MEMORY_MB
  try {
    for (let i = 0; i < options.cold; i++) {
      progress.show(() => ({
        label: 'cold',
        fraction: i / options.cold,
        detail: `environment ${i + 1} of ${options.cold}`,
      }))
      const sample = options.http ? httpColdSample : embeddedColdSample
      coldSamples.push(await sample(target, nextEvent()))
    }
    rss.takeLevelPeakMb() // so the first level's peak is its own
    for (const concurrency of options.concurrency) {
      const run = await runLevel(options, target, concurrency, nextEvent, progress)
      runs.push(run)
      levels.push(warmLevel(concurrency, run, memoryMb, rss.takeLevelPeakMb()))
    }
  } catch (error) {
    if (!(error instanceof InitError)) throw error
    // A handler that cannot start has nothing to measure: its own error says why.
    progress.clear()
    process.stderr.write(`lambdalet bench: ${error.message}\n`)
    return 1
  } finally {
    progress.clear()
  }

  const result: BenchResult = {
    schema: SCHEMA,
    startedAt: startedAt.toISOString(),
    elapsedSeconds: (performance.now() - started) / 1000,
    node: process.version,
    mode: options.http ? 'http' : 'embedded',
    function: {
      name: target.name,
      handler: target.options.handler,
      memoryMb,
      timeoutMs: target.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    },
    settings: {
      cold: options.cold,
      concurrency: options.concurrency,
      durationMs: options.durationMs,
      requests: options.requests,
      events: options.events.length,
    },
    cold: options.cold === 0 ? null : coldResult(coldSamples),
    warm: levels,
    memory: rss.stop(),
    billing: billing(coldSamples, runs, memoryMb),
  }
  process.stdout.write(renderSummary(result))
  if (options.json !== undefined) {
    await writeFile(options.json, JSON.stringify(result, null, 2) + '\n')
    process.stdout.write(`\nFigures written to ${options.json}\n`)
  }
  if (base === undefined || options.compare === undefined) return 0
  const changes = compare(base, result)
  process.stdout.write(renderComparison(changes, options.compare, base, result, options.failOnRegression))
  if (options.failOnRegression === undefined) return 0
  // A gate that compared nothing must not pass silently in someone's CI.
  if (!anyGated(changes)) return 2
  return regressions(changes, options.failOnRegression).length > 0 ? 1 : 0
}

function runLevel(
  options: BenchOptions,
  target: BenchTarget,
  concurrency: number,
  nextEvent: () => string,
  progress: ProgressBar,
): Promise<LevelRun> {
  const plan: Plan =
    options.requests === null ? { durationMs: options.durationMs ?? 0 } : { requests: options.requests }
  const counter: LevelProgress = { measuringSince: null, completed: 0 }
  progress.show(() => {
    const since = counter.measuringSince
    const elapsed = since === null ? 0 : performance.now() - since
    const fraction = 'requests' in plan ? counter.completed / plan.requests : elapsed / plan.durationMs
    const rate = elapsed > 0 ? Math.round(counter.completed / (elapsed / 1000)).toLocaleString('en-US') : '…'
    return {
      label: `concurrency ${concurrency}`,
      fraction,
      detail: since === null ? 'warming up' : `${counter.completed.toLocaleString('en-US')} invocations, ${rate}/s`,
    }
  })
  return options.http
    ? httpLevel(target, concurrency, plan, options.events, nextEvent, counter)
    : embeddedLevel(target, concurrency, plan, nextEvent, counter)
}
