import type { Report } from '@lambdalet/host'
import type { ColdSample, LevelRun } from './measurement.js'
import type { RssFigures } from './rss-sampler.js'
import { type HistogramBin, histogram, type Summary, summarize } from './summary.js'

export const SCHEMA = 'lambdalet-bench/1'

/** Everything `--json` writes, and what `--compare` reads back. */
export interface BenchResult {
  schema: typeof SCHEMA
  startedAt: string
  elapsedSeconds: number
  node: string
  mode: 'embedded' | 'http'
  function: { name: string; handler: string; memoryMb: number; timeoutMs: number }
  settings: { cold: number; concurrency: number[]; durationMs: number | null; requests: number | null; events: number }
  cold: ColdResult | null
  warm: WarmLevel[]
  memory: RssFigures
  billing: Billing
}

export interface ColdResult {
  samples: number
  errors: number
  errorsByType: Record<string, number>
  /** From the REPORT lines' Init Duration. */
  initDurationMs: Summary | null
  /** From the call to the answer, init included, as the caller waited. */
  firstInvocationMs: Summary | null
  maxMemoryUsedMb: Summary | null
}

export interface WarmLevel {
  concurrency: number
  invocations: number
  errors: number
  errorsByType: Record<string, number>
  elapsedMs: number
  invocationsPerSecond: number
  /** As the caller saw it. */
  latencyMs: Summary | null
  /** The REPORT lines' Duration: the function's own time. */
  durationMs: Summary | null
  billedDurationMs: number
  gbSeconds: number
  /** The REPORT lines' Max Memory Used: each environment's high-water mark. */
  maxMemoryUsedMb: Summary | null
  rssPeakMb: number
  histogram: HistogramBin[]
}

export interface Billing {
  memoryMb: number
  /** Invocations with a REPORT line (cold samples and warm levels). */
  invocations: number
  billedDurationMs: number
  gbSeconds: number
  /** The same per million invocations: comparable across runs of any length. */
  gbSecondsPerMillion: number
}

/** Lambda's unit: billed milliseconds × memory, in GB-seconds. */
export function gbSeconds(billedMs: number, memoryMb: number): number {
  return (billedMs * memoryMb) / 1024 / 1000
}

const billedMs = (reports: readonly Report[]) => reports.reduce((sum, report) => sum + report.billedDurationMs, 0)
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0)

export function coldResult(samples: readonly ColdSample[]): ColdResult {
  const reports = samples.flatMap((sample) => (sample.report === undefined ? [] : [sample.report]))
  const errorsByType: Record<string, number> = {}
  for (const { errorType } of samples)
    if (errorType !== null) errorsByType[errorType] = (errorsByType[errorType] ?? 0) + 1
  return {
    samples: samples.length,
    errors: sum(errorsByType),
    errorsByType,
    initDurationMs: summarize(
      reports.flatMap((report) => (report.initDurationMs === undefined ? [] : [report.initDurationMs])),
    ),
    firstInvocationMs: summarize(samples.map((sample) => sample.latencyMs)),
    maxMemoryUsedMb: summarize(reports.map((report) => report.maxMemoryUsedMb)),
  }
}

export function warmLevel(concurrency: number, run: LevelRun, memoryMb: number, rssPeakMb: number): WarmLevel {
  const billed = billedMs(run.reports)
  return {
    concurrency,
    invocations: run.invocations,
    errors: sum(run.errorsByType),
    errorsByType: run.errorsByType,
    elapsedMs: run.elapsedMs,
    invocationsPerSecond: run.invocations / (run.elapsedMs / 1000),
    latencyMs: summarize(run.latencies),
    durationMs: summarize(run.reports.map((report) => report.durationMs)),
    billedDurationMs: billed,
    gbSeconds: gbSeconds(billed, memoryMb),
    maxMemoryUsedMb: summarize(run.reports.map((report) => report.maxMemoryUsedMb)),
    rssPeakMb,
    histogram: histogram(run.latencies),
  }
}

export function billing(coldSamples: readonly ColdSample[], levels: readonly LevelRun[], memoryMb: number): Billing {
  const reports = [
    ...coldSamples.flatMap((sample) => (sample.report === undefined ? [] : [sample.report])),
    ...levels.flatMap((level) => level.reports),
  ]
  const billed = billedMs(reports)
  const total = gbSeconds(billed, memoryMb)
  return {
    memoryMb,
    invocations: reports.length,
    billedDurationMs: billed,
    gbSeconds: total,
    gbSecondsPerMillion: reports.length === 0 ? 0 : (total / reports.length) * 1e6,
  }
}
