import { performance } from 'node:perf_hooks'

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/**
 * Calls per second with `inFlight` callers each awaiting its call before the
 * next (a closed loop), for `durationMs`.
 */
export async function closedLoop(call, inFlight, durationMs) {
  let completed = 0
  const start = performance.now()
  const end = start + durationMs
  const caller = async () => {
    while (performance.now() < end) {
      await call()
      completed++
    }
  }
  await Promise.all(Array.from({ length: inFlight }, caller))
  return completed / ((performance.now() - start) / 1000)
}

/**
 * Runs every variant once per round, the order rotating each round so none
 * always goes first or last, and returns each variant's samples. Noise on a
 * shared machine then hits every side alike.
 */
export async function interleave(label, rounds, variants, progress) {
  const samples = Object.fromEntries(variants.map((variant) => [variant.name, []]))
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(round + i) % variants.length]
      progress(`${label}: round ${round + 1}/${rounds}, ${variant.name}`)
      samples[variant.name].push(await variant.run())
    }
  }
  return samples
}
