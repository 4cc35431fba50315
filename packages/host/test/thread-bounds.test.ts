import { describe, expect, it } from 'vitest'
import { fixture, rejectionOf, testHost, until } from './helpers.js'

describe('thread bounds', () => {
  it('does not count threads that never started when an init times out at once', async () => {
    const { host } = testHost({
      functions: { f: { handler: fixture('echo-value.mjs'), maxConcurrency: 1, initTimeoutMs: 1 } },
    })
    try {
      for (let i = 0; i < 4; i++) {
        const outcome = await host.invoke('f', i).catch((error: { errorType: string }) => error.errorType)
        expect([i, 'Sandbox.Timedout']).toContain(outcome)
      }
      await until(() => host.stats().functions.f!.environments.dying === 0)
      expect(host.stats().threads).toBeLessThanOrEqual(1)
    } finally {
      await host.close()
    }
  })

  it('keeps replacing lost minWarm environments within the bound on exiting threads', async () => {
    const { host } = testHost({
      functions: { slow: { handler: fixture('slow.mjs'), maxConcurrency: 1, minWarm: 1, timeoutMs: 200 } },
    })
    try {
      for (let i = 0; i < 3; i++) {
        // Each timeout leaves a thread blocked for 2 s in a native call.
        expect((await rejectionOf(host.invoke('slow', { block: 2 }))).errorType).toBe('Sandbox.Timedout')
        expect(host.stats().threads).toBeLessThanOrEqual(2)
      }
    } finally {
      await host.close()
    }
  })

  it('logs no init failure for pre-warmed environments a close() cuts short', async () => {
    const { host, logs } = testHost({ functions: { f: { handler: fixture('echo-value.mjs'), minWarm: 2 } } })
    await host.close()
    expect(logs.filter((entry) => entry.line.includes('INIT_REPORT'))).toEqual([])
  })
})
