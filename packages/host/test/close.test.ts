import { describe, expect, it } from 'vitest'
import { createHost } from '../src/index.js'
import { closedAfterTest, fixture, osThreads, rejectionOf, testHost, until } from './helpers.js'

describe('close', () => {
  it('lets in-flight and queued invocations finish, then rejects new ones', async () => {
    const { host } = testHost({ functions: { slow: { handler: fixture('slow.mjs'), maxConcurrency: 1 } } })
    const inFlight = host.invoke('slow', { sleepMs: 200 })
    const queued = host.invoke('slow', { sleepMs: 10 })
    await until(() => host.stats().functions.slow!.environments.busy === 1)
    expect(host.stats().functions.slow!.queue.waiting).toBe(1)
    const closing = host.close()
    const late = await rejectionOf(host.invoke('slow', {}))
    expect(late.errorType).toBe('ServiceException')
    expect(await inFlight).toMatchObject({ count: 1 })
    expect(await queued).toMatchObject({ count: 2 })
    await closing
    expect(host.stats().threads).toBe(0)
    expect(host.stats().closing).toBe(true)
  })

  it('terminates what is still running after the drain timeout, and settles everything', async () => {
    const host = closedAfterTest(
      createHost({
        logs: false,
        drainTimeoutMs: 300,
        functions: { slow: { handler: fixture('slow.mjs'), maxConcurrency: 1, timeoutMs: 60_000 } },
      }),
    )
    const running = rejectionOf(host.invoke('slow', { spin: true }))
    const queued = rejectionOf(host.invoke('slow', {}))
    await until(() => host.stats().functions.slow!.environments.busy === 1)
    const started = Date.now()
    await host.close()
    expect(Date.now() - started).toBeLessThan(3000)
    expect((await running).errorType).toBe('ServiceException')
    expect((await queued).errorType).toBe('ServiceException')
    expect(host.stats().threads).toBe(0)
  })

  it('leaves no threads behind after a mix of crashes, timeouts and evictions', async () => {
    const before = osThreads()
    const { host } = testHost({
      functions: {
        errors: { handler: fixture('errors.mjs'), maxConcurrency: 2 },
        slow: { handler: fixture('slow.mjs'), maxConcurrency: 2, timeoutMs: 300, idleTimeoutMs: 200 },
      },
    })
    await Promise.allSettled([
      host.invoke('errors', { kind: 'exit' }),
      host.invoke('errors', { kind: 'unhandled' }),
      host.invoke('slow', { spin: true }),
      host.invoke('slow', {}),
    ])
    await host.close()
    expect(host.stats().threads).toBe(0)
    // Terminated threads release their OS threads shortly after exiting.
    await until(() => osThreads() <= before, 5000)
  })

  it('is safe to call twice', async () => {
    const { host } = testHost({ functions: { echo: { handler: fixture('echo-value.mjs') } } })
    await host.invoke('echo', 1)
    await Promise.all([host.close(), host.close()])
    expect(host.stats().threads).toBe(0)
  })
})

describe('close during a cold start', () => {
  it('settles an invocation whose environment is still initialising when the drain times out', async () => {
    const host = closedAfterTest(
      createHost({
        logs: false,
        drainTimeoutMs: 200,
        functions: { spin: { handler: fixture('init-spin.mjs'), initTimeoutMs: 30_000 } },
      }),
    )
    const pending = rejectionOf(host.invoke('spin'))
    // The invocation waits for the environment's init, which spins forever.
    expect(host.stats().functions.spin!.environments.starting).toBe(1)
    await host.close()
    expect((await pending).errorType).toBe('ServiceException')
    expect(host.stats().threads).toBe(0)
  })
})
