import { describe, expect, it } from 'vitest'
import { fixture, testHost, until } from './helpers.js'

describe('warm reuse and fresh state', () => {
  it('keeps module state between warm invocations', async () => {
    const { host } = testHost({ functions: { counter: { handler: fixture('counter.mjs'), maxConcurrency: 1 } } })
    const counts = []
    for (let i = 0; i < 3; i++) counts.push(((await host.invoke('counter')) as { count: number }).count)
    expect(counts).toEqual([1, 2, 3])
    expect(host.stats().functions.counter!.coldStarts).toBe(1)
  })

  it('starts fresh after a crash', async () => {
    const { host } = testHost({
      functions: {
        counter: { handler: fixture('counter.mjs'), maxConcurrency: 1 },
        crashy: { handler: fixture('errors.mjs'), maxConcurrency: 1 },
      },
    })
    await host.invoke('counter')
    expect(await host.invoke('counter')).toMatchObject({ count: 2 })
    const exit = await host.invoke('crashy', { kind: 'exit' }).catch((e: unknown) => e)
    expect(exit).toMatchObject({ errorType: 'Runtime.ExitError' })
    expect(await host.invoke('crashy', { kind: 'none' })).toBe('ok')
    expect(host.stats().functions.crashy!.coldStarts).toBe(2)
  })

  it('starts fresh after a timeout', async () => {
    const { host } = testHost({
      functions: { slow: { handler: fixture('slow.mjs'), maxConcurrency: 1, timeoutMs: 300 } },
    })
    expect(await host.invoke('slow', {})).toMatchObject({ count: 1 })
    expect(await host.invoke('slow', {})).toMatchObject({ count: 2 })
    const timeout = await host.invoke('slow', { sleepMs: 5000 }).catch((e: unknown) => e)
    expect(timeout).toMatchObject({ errorType: 'Sandbox.Timedout' })
    expect(await host.invoke('slow', {})).toMatchObject({ count: 1 })
  })

  it('starts fresh after an idle eviction', async () => {
    const { host } = testHost({
      functions: { counter: { handler: fixture('counter.mjs'), maxConcurrency: 1, idleTimeoutMs: 200 } },
    })
    const first = (await host.invoke('counter')) as { count: number; threadId: number }
    expect(first.count).toBe(1)
    await until(() => host.stats().functions.counter!.environments.idle === 0)
    const second = (await host.invoke('counter')) as { count: number; threadId: number }
    expect(second.count).toBe(1)
    expect(second.threadId).not.toBe(first.threadId)
  })
})
