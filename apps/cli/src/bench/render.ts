import type { BenchResult, WarmLevel } from './bench-result.js'
import type { HistogramBin, Summary } from './summary.js'

export function formatMs(ms: number): string {
  const digits = ms < 10 ? 2 : ms < 100 ? 1 : 0
  return `${ms.toFixed(digits)} ms`
}

export const formatCount = (n: number): string => Math.round(n).toLocaleString('en-US')

export function formatGbSeconds(value: number): string {
  return value === 0 ? '0' : value >= 1 ? value.toFixed(2) : value.toPrecision(2)
}

/** Columns padded to their widest cell; `r` aligns right. */
export function table(rows: readonly string[][], align: readonly ('l' | 'r')[], indent = '  '): string[] {
  const widths = align.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)))
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, column) => (align[column] === 'r' ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
        .join('  ')
        .trimEnd(),
  )
}

const BAR_WIDTH = 40

export function renderHistogram(bins: readonly HistogramBin[]): string[] {
  const most = Math.max(1, ...bins.map((bin) => bin.count))
  const rows = bins.map((bin) => [
    bin.fromMs.toPrecision(3),
    '–',
    bin.toMs.toPrecision(3),
    '█'.repeat(Math.round((bin.count / most) * BAR_WIDTH)) || (bin.count > 0 ? '▏' : ''),
    formatCount(bin.count),
  ])
  return table(rows, ['r', 'l', 'r', 'l', 'r'], '    ')
}

const percentiles = (summary: Summary | null, format: (n: number) => string, keys: readonly (keyof Summary)[]) =>
  keys.map((key) => (summary === null ? '–' : format(summary[key])))

const errorList = (errorsByType: Record<string, number>) =>
  Object.entries(errorsByType)
    .sort((a, b) => b[1] - a[1])
    .map(([type, count]) => `${type} ${formatCount(count)}`)
    .join(', ')

const mb = (n: number) => `${Math.round(n)} MB`

/** The summary printed at the end of a run. */
export function renderSummary(result: BenchResult): string {
  const fn = result.function
  const { settings } = result
  const lines: string[] = [
    `lambdalet bench: ${fn.name} (${fn.handler}) · ${fn.memoryMb} MB · timeout ${fn.timeoutMs / 1000} s · ` +
      `${result.mode === 'http' ? 'through the Invoke API (HTTP)' : 'embedded host'} · ` +
      `${settings.events} event${settings.events === 1 ? '' : 's'}`,
  ]

  const cold = result.cold
  if (cold !== null) {
    lines.push('', `Cold start: ${cold.samples} fresh environment${cold.samples === 1 ? '' : 's'}`)
    const keys = ['p50', 'p90', 'max'] as const
    lines.push(
      ...table(
        [
          ['', ...keys],
          ['Init Duration', ...percentiles(cold.initDurationMs, formatMs, keys)],
          ['First invocation', ...percentiles(cold.firstInvocationMs, formatMs, keys)],
          ['Max Memory Used', ...percentiles(cold.maxMemoryUsedMb, mb, keys)],
        ],
        ['l', 'r', 'r', 'r'],
      ),
    )
    if (cold.errors > 0) lines.push(`  errors: ${errorList(cold.errorsByType)}`)
  }

  if (result.warm.length > 0) {
    const plan =
      settings.requests === null
        ? `${(settings.durationMs ?? 0) / 1000} s per level`
        : `${formatCount(settings.requests)} invocations per level`
    lines.push('', `Warm: ${plan}, latency as the caller saw it`)
    const keys = ['p50', 'p90', 'p99', 'max'] as const
    lines.push(
      ...table(
        [
          ['concurrency', 'inv/s', ...keys, 'invocations', 'errors', 'GB-s'],
          ...result.warm.map((level) => [
            String(level.concurrency),
            formatCount(level.invocationsPerSecond),
            ...percentiles(level.latencyMs, formatMs, keys),
            formatCount(level.invocations),
            formatCount(level.errors),
            formatGbSeconds(level.gbSeconds),
          ]),
        ],
        ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
    )
    for (const level of result.warm) lines.push(...levelDetails(level))
  }

  const { memory, billing } = result
  lines.push('', 'Memory')
  const highest = [
    ...(cold?.maxMemoryUsedMb ? [`cold ${mb(cold.maxMemoryUsedMb.max)}`] : []),
    ...result.warm.map(
      (level) => `concurrency ${level.concurrency} ${level.maxMemoryUsedMb ? mb(level.maxMemoryUsedMb.max) : '–'}`,
    ),
  ]
  if (highest.length > 0) lines.push(`  Max Memory Used per environment (highest): ${highest.join(' · ')}`)
  const growth = memory.rssGrowthMb
  lines.push(
    `  Host RSS: ${mb(memory.rssStartMb)} at start, ${mb(memory.rssPeakMb)} at peak, ${mb(memory.rssEndMb)} at end ` +
      `(${growth >= 0 ? '+' : '−'}${mb(Math.abs(growth))})`,
  )
  lines.push(
    '',
    `Billing at ${billing.memoryMb} MB: ${formatCount(billing.invocations)} invocations, ` +
      `${formatCount(billing.billedDurationMs)} billed ms = ${formatGbSeconds(billing.gbSeconds)} GB-s ` +
      `(${formatGbSeconds(billing.gbSecondsPerMillion)} GB-s per million invocations)`,
  )
  return lines.join('\n') + '\n'
}

function levelDetails(level: WarmLevel): string[] {
  const lines = ['', `  Latency, concurrency ${level.concurrency} (ms)`, ...renderHistogram(level.histogram)]
  if (level.errors > 0) lines.push(`    errors: ${errorList(level.errorsByType)}`)
  return lines
}
