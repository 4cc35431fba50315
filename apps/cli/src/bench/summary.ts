/** Order statistics of recorded samples, exact (nearest rank on the sorted samples). */
export interface Summary {
  count: number
  min: number
  mean: number
  p50: number
  p90: number
  p99: number
  max: number
}

export interface HistogramBin {
  fromMs: number
  toMs: number
  count: number
}

export function summarize(samples: readonly number[]): Summary | null {
  if (samples.length === 0) return null
  const sorted = Float64Array.from(samples).sort()
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number
  let sum = 0
  for (const value of sorted) sum += value
  return {
    count: sorted.length,
    min: sorted[0] as number,
    mean: sum / sorted.length,
    p50: rank(50),
    p90: rank(90),
    p99: rank(99),
    max: sorted[sorted.length - 1] as number,
  }
}

/**
 * Counts per bin, bins spaced evenly on a log scale from the fastest sample
 * to the slowest: latency has a long tail, and linear bins would put almost
 * everything in the first one.
 */
export function histogram(samples: readonly number[], bins = 12): HistogramBin[] {
  if (samples.length === 0) return []
  const sorted = Float64Array.from(samples).sort()
  const low = Math.max(sorted[0] as number, 1e-3)
  const high = Math.max(sorted[sorted.length - 1] as number, low)
  if (high / low < 1.0001) return [{ fromMs: low, toMs: high, count: sorted.length }]
  const step = Math.log(high / low) / bins
  const result: HistogramBin[] = []
  let index = 0
  for (let bin = 0; bin < bins; bin++) {
    const fromMs = low * Math.exp(step * bin)
    const toMs = bin === bins - 1 ? high : low * Math.exp(step * (bin + 1))
    let count = 0
    while (index < sorted.length && (bin === bins - 1 || (sorted[index] as number) < toMs)) {
      count++
      index++
    }
    result.push({ fromMs, toMs, count })
  }
  return result
}
