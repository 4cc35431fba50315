import { readFile } from 'node:fs/promises'
import { UsageError } from '../usage-error.js'
import { type BenchResult, SCHEMA } from './bench-result.js'
import { formatCount, formatGbSeconds, formatMs, table } from './render.js'
import type { Summary } from './summary.js'

export interface Change {
  figure: string
  base: number
  now: number
  /** (now − base) / base, in percent. */
  changePercent: number
  /** Positive when the figure got worse, in percent of the base, whichever its direction. */
  worsePercent: number
  /** Counts against `--fail-on-regression`: throughput and latency percentiles, not maxima. */
  gated: boolean
  format: (n: number) => string
}

export async function readBase(path: string): Promise<BenchResult> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new UsageError(`--compare: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
  let parsed: Partial<BenchResult>
  try {
    parsed = JSON.parse(text) as Partial<BenchResult>
  } catch {
    throw new UsageError(`--compare: ${path} is not JSON`)
  }
  if (parsed.schema !== SCHEMA) {
    throw new UsageError(`--compare: ${path} is not a lambdalet bench --json file (expected "schema": "${SCHEMA}")`)
  }
  return parsed as BenchResult
}

/** Every figure both runs have, base first. A single outlier moves a maximum, so maxima are shown but never gated. */
export function compare(base: BenchResult, now: BenchResult): Change[] {
  const changes: Change[] = []
  const add = (
    figure: string,
    b: number | undefined,
    n: number | undefined,
    lowerIsBetter: boolean,
    gated: boolean,
    format: (n: number) => string,
  ) => {
    if (b === undefined || n === undefined || !Number.isFinite(b) || !Number.isFinite(n) || b === 0) return
    const changePercent = ((n - b) / b) * 100
    changes.push({
      figure,
      base: b,
      now: n,
      changePercent,
      worsePercent: lowerIsBetter ? changePercent : -changePercent,
      gated,
      format,
    })
  }
  const latencies = (
    prefix: string,
    b: Summary | null | undefined,
    n: Summary | null | undefined,
    keys: readonly (keyof Summary)[],
  ) => {
    for (const key of keys) add(`${prefix} ${key}`, b?.[key], n?.[key], true, key !== 'max', formatMs)
  }

  latencies('cold Init Duration', base.cold?.initDurationMs, now.cold?.initDurationMs, ['p50', 'p90', 'max'])
  latencies('cold first invocation', base.cold?.firstInvocationMs, now.cold?.firstInvocationMs, ['p50', 'p90', 'max'])
  for (const level of now.warm) {
    const before = base.warm.find((candidate) => candidate.concurrency === level.concurrency)
    if (before === undefined) continue
    const at = `concurrency ${level.concurrency}`
    add(`${at} inv/s`, before.invocationsPerSecond, level.invocationsPerSecond, false, true, formatCount)
    latencies(`${at} latency`, before.latencyMs, level.latencyMs, ['p50', 'p90', 'p99', 'max'])
  }
  add(
    'GB-s per million invocations',
    base.billing.gbSecondsPerMillion,
    now.billing.gbSecondsPerMillion,
    true,
    false,
    formatGbSeconds,
  )
  return changes
}

export const NOTHING_GATED =
  'no throughput or latency percentile in common with the base (different concurrency levels, or no cold phase in one of them): nothing to gate'

/** Whether any figure `--fail-on-regression` looks at was compared. */
export function anyGated(changes: readonly Change[]): boolean {
  return changes.some((change) => change.gated)
}

export function regressions(changes: readonly Change[], thresholdPercent: number): Change[] {
  return changes.filter((change) => change.gated && change.worsePercent > thresholdPercent)
}

export function renderComparison(
  changes: readonly Change[],
  basePath: string,
  base: BenchResult,
  now: BenchResult,
  thresholdPercent: number | undefined,
): string {
  const lines = ['', `Compared with ${basePath} (${base.function.name}, ${base.mode}, ${base.startedAt})`]
  if (base.mode !== now.mode)
    lines.push(
      `  note: the base ran ${base.mode === 'http' ? 'through HTTP' : 'embedded'}, this run ${now.mode === 'http' ? 'through HTTP' : 'embedded'}`,
    )
  if (base.function.name !== now.function.name || base.function.handler !== now.function.handler) {
    lines.push(
      `  note: the base measured ${base.function.name} (${base.function.handler}), this run ${now.function.name} (${now.function.handler})`,
    )
  }
  if (!anyGated(changes)) {
    lines.push(`  ${NOTHING_GATED}`)
    if (changes.length === 0) return lines.join('\n') + '\n'
  }
  const rows = changes.map((change) => {
    const sign = change.changePercent >= 0 ? '+' : '−'
    const verdict =
      thresholdPercent !== undefined && change.gated && change.worsePercent > thresholdPercent
        ? 'REGRESSION'
        : Math.abs(change.changePercent) < 0.05
          ? ''
          : change.worsePercent > 0
            ? 'worse'
            : 'better'
    return [
      change.figure,
      change.format(change.base),
      change.format(change.now),
      `${sign}${Math.abs(change.changePercent).toFixed(1)} %`,
      verdict,
    ]
  })
  lines.push(...table([['figure', 'base', 'now', 'change', ''], ...rows], ['l', 'r', 'r', 'r', 'l']))
  if (thresholdPercent !== undefined) {
    const failed = regressions(changes, thresholdPercent)
    lines.push(
      '',
      failed.length === 0
        ? `No gated figure (inv/s, latency p50/p90/p99) got worse by more than ${thresholdPercent} %.`
        : `${failed.length} gated figure${failed.length === 1 ? '' : 's'} got worse by more than ${thresholdPercent} %.`,
    )
  }
  return lines.join('\n') + '\n'
}
