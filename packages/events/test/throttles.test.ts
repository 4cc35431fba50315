import type { Invoker } from '@lambdalet/protocol'
import { describe, expect, it } from 'vitest'
import { setup } from './helpers.js'

describe('throttles and room', () => {
  it('holds events while the function is busy with synchronous calls, then runs each once', async () => {
    const { host, queue, runs } = await setup({ slow: { handler: 'slow.mjs', maxConcurrency: 1 } })
    const busy = host.invoke('slow', { sleepMs: 400 })
    await expect.poll(() => host.room('slow')).toBe(0)
    for (let i = 0; i < 5; i++) await queue.invokeAsync('slow', { key: `e${i}` })
    // The consumer pulls only when there is room: nothing ran and nothing was throttled yet.
    expect(queue.asyncStats().functions.slow).toMatchObject({ depth: 5, requeued: 0 })
    expect(host.stats().functions.slow!.throttles).toBe(0)
    await busy
    await expect.poll(() => queue.asyncStats().functions.slow!.succeeded, { timeout: 10_000 }).toBe(5)
    for (let i = 0; i < 5; i++) expect(runs(`e${i}`)).toHaveLength(1)
    expect(host.stats().functions.slow!.throttles).toBe(0)
  })

  it('puts throttled events back with backoff, without using up retry attempts', async () => {
    // The host without its `room`: the queue cannot see that the function is
    // full, so it sends too much and the host throttles (the path of an
    // invoker that cannot report room, or a race with synchronous callers).
    const { host, runs, records } = await setup(
      { slow: { handler: 'slow.mjs', maxConcurrency: 1, maxQueue: 0 }, audit: { handler: 'recorder.mjs' } },
      { store: 'memory' },
    )
    const blind: Invoker = {
      invokeRaw: (name, payload, options) => host.invokeRaw(name, payload, options),
      hasFunction: (name) => host.hasFunction(name),
      functionNames: () => host.functionNames(),
      stats: () => host.stats(),
    }
    const { createEventQueue } = await import('../src/index.js')
    const queue = await createEventQueue({
      invoker: blind,
      store: 'memory',
      concurrency: 4,
      throttleBackoffMs: { initial: 50, max: 200 },
      functions: { slow: { maximumRetryAttempts: 0, destinations: { onSuccess: 'audit' } } },
      logger: () => {},
    })
    try {
      for (let i = 0; i < 4; i++) await queue.invokeAsync('slow', { key: `t${i}`, sleepMs: 100 })
      await expect.poll(() => records().length, { timeout: 15_000 }).toBe(4)
      const stats = queue.asyncStats().functions.slow!
      expect(stats.requeued).toBeGreaterThan(0)
      // The queue's own retries are not refusals any caller saw (lambdalet_throttles_total).
      expect(host.stats().functions.slow!.throttles).toBe(0)
      expect(stats).toMatchObject({ succeeded: 4, retried: 0, dropped: { RetriesExhausted: 0 } })
      // Each ran once and its record counts one invocation: throttles are not attempts.
      for (let i = 0; i < 4; i++) expect(runs(`t${i}`)).toHaveLength(1)
      expect(records().map((r) => r.requestContext.approximateInvokeCount)).toEqual([1, 1, 1, 1])
    } finally {
      await queue.close(1_000)
    }
  })
})

describe('bounds', () => {
  it('refuses an event past the per-function bound with TooManyRequestsException, and keeps serving others', async () => {
    const { host, queue } = await setup(
      { slow: { handler: 'slow.mjs', maxConcurrency: 1 }, other: { handler: 'slow.mjs' } },
      { limits: { maxEventsPerFunction: 3 } },
    )
    const busy = host.invoke('slow', { sleepMs: 300 })
    await expect.poll(() => host.room('slow')).toBe(0)
    const accepts = await Promise.allSettled(Array.from({ length: 5 }, () => queue.invokeAsync('slow', {})))
    expect(accepts.filter((a) => a.status === 'fulfilled')).toHaveLength(3)
    const refused = accepts.find((a) => a.status === 'rejected') as PromiseRejectedResult
    expect(refused.reason).toMatchObject({
      errorType: 'TooManyRequestsException',
      statusCode: 429,
      reason: 'AsyncEventQueueFull',
    })
    await expect(queue.invokeAsync('other', {})).resolves.toEqual(expect.any(String))
    await busy
  })

  it('refuses a payload over 1 MB, invalid JSON and an unknown function with their Lambda errors', async () => {
    const { queue } = await setup({ slow: { handler: 'slow.mjs' } })
    await expect(queue.invokeAsyncRaw('slow', `"${'x'.repeat(1024 * 1024)}"`)).rejects.toMatchObject({
      errorType: 'RequestTooLargeException',
      statusCode: 413,
    })
    await expect(queue.invokeAsyncRaw('slow', '{nope')).rejects.toMatchObject({
      errorType: 'InvalidRequestContentException',
      statusCode: 400,
    })
    await expect(queue.invokeAsyncRaw('missing', '{}')).rejects.toMatchObject({
      errorType: 'ResourceNotFoundException',
      statusCode: 404,
    })
  })
})
