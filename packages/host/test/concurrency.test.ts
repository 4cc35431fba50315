import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { fixture, testHost } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'lambdalet-concurrency-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The highest number of invocations that were between start and end at once. */
function peak(file: string): number {
  let running = 0
  let max = 0
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === 'start') max = Math.max(max, ++running)
    if (line === 'end') running--
  }
  return max
}

describe('concurrency', () => {
  it('never runs more than maxConcurrency invocations of a function at once', async () => {
    const file = join(dir, 'function.log')
    // Three cold starts at once, so that the limit is reached and not just
    // approached (with fewer at a time, the first environments may clear the
    // queue before the third one is up); the host-wide bound has its own tests.
    const { host } = testHost({
      maxColdStarts: 3,
      functions: { c: { handler: fixture('concurrency.mjs'), maxConcurrency: 3 } },
    })
    const ids = Array.from({ length: 30 }, (_, id) => id)
    const results = await Promise.all(ids.map((id) => host.invoke('c', { id, file })))
    expect(results).toEqual(ids)
    expect(peak(file)).toBe(3)
    expect(host.stats().functions.c!.coldStarts).toBe(3)
  })

  it('never runs more than the host maxConcurrency across functions', async () => {
    const file = join(dir, 'host.log')
    const { host } = testHost({
      maxConcurrency: 2,
      functions: {
        a: { handler: fixture('concurrency.mjs'), maxConcurrency: 3 },
        b: { handler: fixture('concurrency.mjs'), maxConcurrency: 3 },
      },
    })
    const calls = Array.from({ length: 20 }, (_, id) => host.invoke(id % 2 ? 'a' : 'b', { id, file }))
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 20 }, (_, id) => id))
    expect(peak(file)).toBe(2)
  })

  it('runs one event at a time per environment', async () => {
    const { host } = testHost({ functions: { counter: { handler: fixture('counter.mjs'), maxConcurrency: 2 } } })
    const results = (await Promise.all(Array.from({ length: 40 }, () => host.invoke('counter')))) as Array<{
      count: number
      threadId: number
    }>
    const byThread = new Map<number, number[]>()
    for (const r of results) byThread.set(r.threadId, [...(byThread.get(r.threadId) ?? []), r.count])
    expect(byThread.size).toBeLessThanOrEqual(2)
    for (const counts of byThread.values()) {
      expect([...counts].sort((x, y) => x - y)).toEqual(counts.map((_, i) => i + 1))
    }
  })
})
