import { describe, expect, it } from 'vitest'
import { fixture, osThreads, testHost, until } from './helpers.js'

const kinds = ['ok', 'sleep', 'throw', 'exit', 'spin', 'late-reject', 'ok', 'sleep'] as const

describe('chaos', () => {
  it('settles every invocation exactly once, with its own outcome, through crashes and timeouts', async () => {
    const threadsBefore = osThreads()
    // A deadline generous enough that only the spinning handler reaches it,
    // even while the rest of the suite (the cold-start storm among it) keeps
    // both cores busy: at 150 ms a 5 ms handler sometimes did not get a turn.
    const { host } = testHost({
      functions: { chaos: { handler: fixture('chaos.mjs'), maxConcurrency: 3, maxQueue: 1000, timeoutMs: 500 } },
    })
    const total = 240
    const settled = new Array<number>(total).fill(0)
    const outcomes = await Promise.all(
      Array.from({ length: total }, async (_, id) => {
        // A fixed pattern, so the run is the same every time.
        const kind = kinds[(id * 5) % kinds.length]!
        try {
          const result = (await host.invoke('chaos', { id, kind })) as { id: number }
          settled[id]!++
          return { id, kind, result: result.id }
        } catch (error) {
          settled[id]!++
          return { id, kind, errorType: (error as { errorType: string }).errorType }
        }
      }),
    )
    expect(settled.every((count) => count === 1)).toBe(true)
    for (const outcome of outcomes) {
      switch (outcome.kind) {
        case 'ok':
        case 'sleep':
        case 'late-reject':
          // A late rejection crashes its environment after it answered; the
          // answer stands, and whatever comes next runs elsewhere.
          expect(outcome).toMatchObject({ result: outcome.id })
          break
        case 'throw':
          expect(outcome.errorType).toBe('RangeError')
          break
        case 'exit':
          expect(outcome.errorType).toBe('Runtime.ExitError')
          break
        case 'spin':
          expect(outcome.errorType).toBe('Sandbox.Timedout')
          break
      }
    }
    const stats = host.stats().functions.chaos!
    expect(stats.invocations).toBe(total)
    expect(stats.timeouts).toBe(outcomes.filter((o) => o.kind === 'spin').length)
    await host.close()
    expect(host.stats().threads).toBe(0)
    await until(() => osThreads() <= threadsBefore, 5000)
  })
})
