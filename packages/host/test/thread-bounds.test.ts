import { describe, expect, it } from 'vitest'
import { fixture, rejectionOf, testHost, until } from './helpers.js'

describe('thread bounds', () => {
  it('counts a thread whose init timed out before it started only until it has exited', async () => {
    for (let i = 0; i < 3; i++) {
      // Spawning a thread takes many milliseconds, so a 1 ms init budget
      // always runs out before the runtime starts in it.
      const { host } = testHost({
        functions: { f: { handler: fixture('echo-value.mjs'), maxConcurrency: 1, initTimeoutMs: 1 } },
      })
      expect((await rejectionOf(host.invoke('f', i))).errorType).toBe('Sandbox.Timedout')
      // A thread counted as dying must be heard of again, or it would take a
      // place under the bound for good.
      await until(() => host.stats().threads === 0)
      expect(host.stats().functions.f!.environments.dying).toBe(0)
      await host.close()
    }
  })

  it('keeps replacing lost minWarm environments within the bound on exiting threads', async () => {
    const { host } = testHost({
      functions: { slow: { handler: fixture('slow.mjs'), maxConcurrency: 1, minWarm: 1, timeoutMs: 200 } },
    })
    for (let i = 0; i < 3; i++) {
      // Each timeout leaves a thread blocked for 2 s in a native call.
      expect((await rejectionOf(host.invoke('slow', { block: 2 }))).errorType).toBe('Sandbox.Timedout')
      expect(host.stats().threads).toBeLessThanOrEqual(2)
    }
  })

  it('logs no init failure for pre-warmed environments a close() cuts short', async () => {
    const { host, logs } = testHost({ functions: { f: { handler: fixture('echo-value.mjs'), minWarm: 2 } } })
    await host.close()
    expect(logs.filter((entry) => entry.line.includes('INIT_REPORT'))).toEqual([])
  })
})

describe('thread bounds, continued', () => {
  it('wakes a waiting invocation when an environment exits by itself', async () => {
    const { host } = testHost({
      functions: { slow: { handler: fixture('slow.mjs'), maxConcurrency: 2, timeoutMs: 300 } },
    })
    // Three timeouts leave three threads blocked in a native call: with one
    // environment running, the bound of 2 × maxConcurrency threads is reached.
    await Promise.all([1, 2, 3].map(() => rejectionOf(host.invoke('slow', { block: 3 }))))
    const exiting = rejectionOf(host.invoke('slow', { sleepMs: 2000, exitAfterMs: 200 }))
    await until(() => host.stats().functions.slow!.environments.busy === 1)
    const started = Date.now()
    const waiting = host.invoke('slow', {})
    expect((await exiting).errorType).toBe('Runtime.ExitError')
    expect(await waiting).toMatchObject({ count: 1 })
    // Well before the blocked threads exit (3 s).
    expect(Date.now() - started).toBeLessThan(2000)
  })
})
