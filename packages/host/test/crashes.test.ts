import { describe, expect, it } from 'vitest'
import { fixture, rejectionOf, testHost, until } from './helpers.js'

describe('crashes', () => {
  it('answers process.exit() with Runtime.ExitError and keeps serving', async () => {
    const { host } = testHost({ functions: { errors: { handler: fixture('errors.mjs'), maxConcurrency: 1 } } })
    const error = await rejectionOf(host.invoke('errors', { kind: 'exit' }))
    expect(error.errorType).toBe('Runtime.ExitError')
    expect(error.errorMessage).toContain('exit')
    expect(await host.invoke('errors', {})).toBe('ok')
  })

  it("answers an error thrown in a timer with that error's type", async () => {
    const { host } = testHost({ functions: { errors: { handler: fixture('errors.mjs'), maxConcurrency: 1 } } })
    const error = await rejectionOf(host.invoke('errors', { kind: 'timer-throw' }))
    expect(error).toMatchObject({ errorType: 'RangeError', errorMessage: 'thrown in a timer' })
    expect(await host.invoke('errors', {})).toBe('ok')
    expect(host.stats().functions.errors!.coldStarts).toBe(2)
  })

  it('answers an unhandled rejection with Runtime.UnhandledPromiseRejection', async () => {
    const { host } = testHost({ functions: { errors: { handler: fixture('errors.mjs'), maxConcurrency: 1 } } })
    const error = await rejectionOf(host.invoke('errors', { kind: 'unhandled' }))
    expect(error.errorType).toBe('Runtime.UnhandledPromiseRejection')
    expect(error.errorMessage).toContain('nobody caught me')
    expect(await host.invoke('errors', {})).toBe('ok')
  })

  it('answers a heap over memoryMb with Runtime.OutOfMemory five times in a row, and stays healthy', async () => {
    const { host } = testHost({
      functions: { errors: { handler: fixture('errors.mjs'), maxConcurrency: 1, memoryMb: 32, timeoutMs: 20_000 } },
    })
    for (let i = 0; i < 5; i++) {
      const error = await rejectionOf(host.invoke('errors', { kind: 'oom' }))
      expect(error.errorType).toBe('Runtime.OutOfMemory')
    }
    expect(await host.invoke('errors', {})).toBe('ok')
    expect(host.stats().functions.errors!.errors).toBe(5)
  })

  it('lets queued invocations continue on a new environment after a crash', async () => {
    const { host } = testHost({ functions: { errors: { handler: fixture('errors.mjs'), maxConcurrency: 1 } } })
    const crash = host.invoke('errors', { kind: 'exit' }).catch((e: { errorType: string }) => e.errorType)
    const queued = Array.from({ length: 5 }, () => host.invoke('errors', {}))
    expect(await crash).toBe('Runtime.ExitError')
    expect(await Promise.all(queued)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok'])
  })

  it('removes an environment that crashes while idle', async () => {
    const { host } = testHost({ functions: { errors: { handler: fixture('errors.mjs'), maxConcurrency: 1 } } })
    // The handler answers, then its timer throws while the environment is idle.
    const raw = await host.invokeRaw('errors', '{"kind":"idle-crash"}')
    expect(raw.payload).toBe('"scheduled"')
    await until(() => host.stats().functions.errors!.environments.idle === 0)
    expect(await host.invoke('errors', {})).toBe('ok')
    expect(host.stats().functions.errors!.coldStarts).toBe(2)
  })
})
