import { describe, expect, it } from 'vitest'
import { fixture, testHost } from './helpers.js'

describe('throttling', () => {
  it('throttles exactly the invocations beyond maxConcurrency + maxQueue', async () => {
    const { host } = testHost({
      functions: { slow: { handler: fixture('slow.mjs'), maxConcurrency: 2, maxQueue: 3 } },
    })
    const burst = await Promise.allSettled(Array.from({ length: 12 }, () => host.invoke('slow', { sleepMs: 100 })))
    const throttled = burst.filter(
      (r) => r.status === 'rejected' && (r.reason as { errorType: string }).errorType === 'TooManyRequestsException',
    )
    expect(throttled).toHaveLength(12 - 2 - 3)
    expect(burst.filter((r) => r.status === 'fulfilled')).toHaveLength(5)
    expect((throttled[0] as PromiseRejectedResult).reason).toMatchObject({
      statusCode: 429,
      reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
    })
    expect(host.stats().functions.slow!.throttles).toBe(7)
    // Once the burst has drained, the function serves again.
    expect(await host.invoke('slow', {})).toMatchObject({ remaining: expect.any(Number) })
  })

  it('counts as throttles only refusals a caller sees, not the event queue’s own attempts', async () => {
    const { host } = testHost({ functions: { slow: { handler: fixture('slow.mjs'), maxConcurrency: 1, maxQueue: 0 } } })
    const running = host.invoke('slow', { sleepMs: 300 })
    const queued = await host.invokeRaw('slow', '{}', { invocationType: 'Event' }).catch((e: unknown) => e)
    expect(queued).toMatchObject({ errorType: 'TooManyRequestsException', statusCode: 429 })
    expect(host.stats().functions.slow!.throttles).toBe(0)
    const caller = await host.invokeRaw('slow', '{}').catch((e: unknown) => e)
    expect(caller).toMatchObject({ errorType: 'TooManyRequestsException' })
    expect(host.stats().functions.slow!.throttles).toBe(1)
    await running
  })

  it('throttles at once with maxQueue 0 when every environment is busy', async () => {
    const { host } = testHost({ functions: { slow: { handler: fixture('slow.mjs'), maxConcurrency: 1, maxQueue: 0 } } })
    const running = host.invoke('slow', { sleepMs: 200 })
    const started = Date.now()
    const error = await host.invoke('slow', {}).catch((e: { errorType: string }) => e)
    expect(error).toMatchObject({ errorType: 'TooManyRequestsException' })
    expect(Date.now() - started).toBeLessThan(100)
    await running
  })
})

describe('room', () => {
  it('reports the invocations that would start now, down to 0 when full and back once they finish', async () => {
    const { host } = testHost({
      functions: { slow: { handler: fixture('slow.mjs'), maxConcurrency: 2, maxQueue: 5 } },
    })
    expect(host.room('slow')).toBe(2)
    const first = host.invoke('slow', { sleepMs: 150 })
    expect(host.room('slow')).toBe(1)
    const second = host.invoke('slow', { sleepMs: 150 })
    const queued = host.invoke('slow', { sleepMs: 10 })
    expect(host.room('slow')).toBe(0)
    await Promise.all([first, second, queued])
    await expect.poll(() => host.room('slow')).toBe(2)
    expect(host.room('missing')).toBe(0)
    await host.close()
    expect(host.room('slow')).toBe(0)
  })

  it('counts the host-wide limit shared by all functions', async () => {
    const { host } = testHost({
      maxConcurrency: 1,
      functions: {
        a: { handler: fixture('slow.mjs'), maxConcurrency: 3 },
        b: { handler: fixture('slow.mjs'), maxConcurrency: 3 },
      },
    })
    const running = host.invoke('a', { sleepMs: 100 })
    // a's invocation holds the one host-wide slot, which b would need.
    await expect.poll(() => host.room('b')).toBe(0)
    expect(host.room('a')).toBe(0)
    await running
    await expect.poll(() => host.room('b')).toBe(1)
  })
})
