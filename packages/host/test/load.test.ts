import { describe, expect, it } from 'vitest'
import { fixture, testHost } from './helpers.js'

describe('load', () => {
  it('matches every one of 10,000 invocations at concurrency 100 to its own result', async () => {
    const { host } = testHost({
      functions: { echo: { handler: fixture('echo-value.mjs'), maxConcurrency: 4, maxQueue: 200 } },
    })
    const total = 10_000
    const seen = new Map<number, number>()
    let next = 0
    const caller = async () => {
      while (next < total) {
        const id = next++
        const result = (await host.invoke('echo', { id, tag: `req-${id}` })) as { id: number; tag: string }
        expect(result.tag).toBe(`req-${id}`)
        seen.set(result.id, (seen.get(result.id) ?? 0) + 1)
      }
    }
    await Promise.all(Array.from({ length: 100 }, caller))
    expect(seen.size).toBe(total)
    expect([...seen.values()].every((count) => count === 1)).toBe(true)
    const stats = host.stats().functions.echo!
    expect(stats.invocations).toBe(total)
    expect(stats.errors).toBe(0)
    expect(stats.coldStarts).toBeLessThanOrEqual(4)
  })
})
