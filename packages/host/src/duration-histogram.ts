import type { DurationHistogram } from '@lambdalet/protocol'

const bounds = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000] as const

export function createHistogram(): DurationHistogram {
  return { bounds, counts: new Array<number>(bounds.length + 1).fill(0), sumMs: 0, count: 0 }
}

export function observe(histogram: DurationHistogram, durationMs: number): void {
  let bucket = 0
  while (bucket < bounds.length && durationMs > bounds[bucket]!) bucket++
  histogram.counts[bucket]!++
  histogram.sumMs += durationMs
  histogram.count++
}
