import { performance } from 'node:perf_hooks'
import { describe, expect, it } from 'vitest'
import { fixture, rejectionOf, testHost, until } from './helpers.js'

describe('timeouts', () => {
  it('answers Sandbox.Timedout at the deadline of a spin loop and terminates the worker', async () => {
    const { host } = testHost({
      functions: { slow: { handler: fixture('slow.mjs'), maxConcurrency: 1, timeoutMs: 1000 } },
    })
    await host.invoke('slow', {})
    const started = Date.now()
    const error = await rejectionOf(host.invoke('slow', { spin: true }))
    const elapsed = Date.now() - started
    expect(error.errorType).toBe('Sandbox.Timedout')
    expect(error.errorMessage).toBe('Task timed out after 1.00 seconds')
    // Answered by the deadline: the spin never ends, so nothing else could answer.
    expect(elapsed).toBeGreaterThanOrEqual(950)
    await until(() => host.stats().functions.slow!.environments.dying === 0)
    expect(await host.invoke('slow', {})).toMatchObject({ count: 1 })
  })

  it('answers at the deadline, not when a handler blocked in a native call for 5 s returns', async () => {
    const { host } = testHost({
      functions: { slow: { handler: fixture('slow.mjs'), maxConcurrency: 1, timeoutMs: 1000 } },
    })
    await host.invoke('slow', {})
    const started = Date.now()
    const error = await rejectionOf(host.invoke('slow', { block: 5 }))
    expect(error.errorType).toBe('Sandbox.Timedout')
    // The native call returns at 5 s; the bound only has to tell the two apart.
    expect(Date.now() - started).toBeLessThan(4000)
    // A replacement starts at once, while the old thread is still stuck: it
    // answers before that thread is free, and the thread still counts.
    expect(await host.invoke('slow', {})).toMatchObject({ count: 1 })
    expect(host.stats().functions.slow!.environments.dying).toBe(1)
    expect(host.stats().threads).toBe(2)
    await until(() => host.stats().functions.slow!.environments.dying === 0, 15_000)
  })

  it('answers with the result of a function that finished in time while the host’s thread was too busy to read it', async () => {
    const { host } = testHost({
      functions: { slow: { handler: fixture('slow.mjs'), maxConcurrency: 1, timeoutMs: 500 } },
    })
    await host.invoke('slow', {})
    const answer = host.invoke('slow', { sleepMs: 200 })
    // The host's thread is busy from before the answer arrives until past
    // the deadline, in the event loop's check phase: the next turn runs the
    // due deadline timer before it reads the port, where the answer (sent
    // after 200 ms) is waiting.
    await new Promise((resolve) => setTimeout(resolve, 50))
    await new Promise((resolve) => setImmediate(resolve))
    const until = performance.now() + 1500
    while (performance.now() < until) {
      // busy, as a host flooded by other work is
    }
    expect(await answer).toMatchObject({ count: 2 })
    expect(host.stats().functions.slow!.timeouts).toBe(0)
    // The same, but the function itself ran past its deadline: a timeout.
    const late = rejectionOf(host.invoke('slow', { sleepMs: 700 }))
    await new Promise((resolve) => setTimeout(resolve, 50))
    await new Promise((resolve) => setImmediate(resolve))
    const lateUntil = performance.now() + 1000
    while (performance.now() < lateUntil) {
      // busy
    }
    expect((await late).errorType).toBe('Sandbox.Timedout')
  })

  it('lets invocations queued behind a timeout succeed', async () => {
    const { host } = testHost({
      functions: { slow: { handler: fixture('slow.mjs'), maxConcurrency: 1, timeoutMs: 500 } },
    })
    const stuck = host.invoke('slow', { spin: true }).catch((e: { errorType: string }) => e.errorType)
    const queued = Array.from({ length: 4 }, () => host.invoke('slow', {}))
    expect(await stuck).toBe('Sandbox.Timedout')
    const results = (await Promise.all(queued)) as Array<{ count: number }>
    expect(results.map((r) => r.count)).toEqual([1, 2, 3, 4])
    expect(host.stats().functions.slow!.timeouts).toBe(1)
  })

  it('does not count init against the invocation timeout', async () => {
    const { host } = testHost({
      functions: { tla: { handler: fixture('top-level-await.mjs'), timeoutMs: 400 } },
    })
    // Top-level await takes 600 ms, longer than the 400 ms timeout, which is
    // still generous for the handler itself on a busy machine (30 ms was not).
    expect(await host.invoke('tla')).toEqual({ loaded: true })
  })

  it('gives the handler a correct remaining time', async () => {
    const { host } = testHost({ functions: { slow: { handler: fixture('slow.mjs'), timeoutMs: 2000 } } })
    const result = (await host.invoke('slow', { sleepMs: 200 })) as { remaining: number }
    expect(result.remaining).toBeGreaterThan(1500)
    expect(result.remaining).toBeLessThanOrEqual(1800)
  })
})
