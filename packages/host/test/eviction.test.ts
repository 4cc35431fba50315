import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Host } from '../src/index.js'
import { fixture, tempDir, testHost, until } from './helpers.js'

/**
 * Resolves once every idle timer armed before the call has fired, so that
 * "nothing was evicted" is checked after the eviction would have happened
 * rather than after a guessed sleep: `probe` (a function with the same idle
 * timeout and no minWarm) gets an environment now, and Node fires timers of
 * one duration in the order they were armed, so it is evicted after them.
 */
async function afterIdleTimersFired(host: Host, probe: string): Promise<void> {
  await host.invoke(probe)
  await until(() => host.stats().functions[probe]!.environments.idle === 0)
}

describe('idle eviction and minWarm', () => {
  it('terminates an environment idle for idleTimeoutMs', async () => {
    const { host } = testHost({ functions: { counter: { handler: fixture('counter.mjs'), idleTimeoutMs: 300 } } })
    await host.invoke('counter')
    expect(host.stats().functions.counter!.environments.idle).toBe(1)
    await until(() => host.stats().functions.counter!.environments.idle === 0)
    await until(() => host.stats().threads === 0)
  })

  it('never evicts a busy environment', async () => {
    const { host } = testHost({
      functions: { slow: { handler: fixture('slow.mjs'), idleTimeoutMs: 100, timeoutMs: 5000 } },
    })
    // Busy for 600 ms, six idle timeouts long: it must still answer.
    expect(await host.invoke('slow', { sleepMs: 600 })).toMatchObject({ count: 1 })
    expect(host.stats().functions.slow!.environments.idle).toBe(1)
  })

  it('starts minWarm environments at creation and keeps them past the idle timeout', async () => {
    const { host } = testHost({
      functions: {
        counter: { handler: fixture('counter.mjs'), minWarm: 2, idleTimeoutMs: 100, maxConcurrency: 4 },
        probe: { handler: fixture('counter.mjs'), idleTimeoutMs: 100 },
      },
    })
    await until(() => host.stats().functions.counter!.environments.idle === 2)
    const first = await host.invoke('counter')
    expect(first).toMatchObject({ count: 1 })
    expect(host.stats().functions.counter!.coldStarts).toBe(0)
    await afterIdleTimersFired(host, 'probe')
    expect(host.stats().functions.counter!.environments.idle).toBe(2)
  })

  it('gives early invocations the pre-warmed environments instead of starting more', async () => {
    const { host } = testHost({
      functions: { counter: { handler: fixture('counter.mjs'), minWarm: 2, maxConcurrency: 2 } },
    })
    // Sent before the pre-warmed environments have finished initialising.
    await Promise.all(Array.from({ length: 6 }, () => host.invoke('counter')))
    expect(host.stats().threads).toBe(2)
    expect(host.stats().functions.counter!.environments.idle).toBe(2)
    // The first two waited for the pre-warmed environments' init.
    expect(host.stats().functions.counter!.coldStarts).toBe(2)
  })

  it('evicts environments beyond minWarm', async () => {
    const { host } = testHost({
      // All four start at once, as on a machine with four cores: with fewer
      // cold starts at a time, a queued invocation may take an environment
      // that has already answered, and one that idled meanwhile can be
      // evicted before the count below.
      maxColdStarts: 4,
      functions: {
        slow: { handler: fixture('slow.mjs'), minWarm: 1, idleTimeoutMs: 200, maxConcurrency: 4 },
        probe: { handler: fixture('counter.mjs'), idleTimeoutMs: 200 },
      },
    })
    await Promise.all(Array.from({ length: 4 }, () => host.invoke('slow', { sleepMs: 100 })))
    expect(host.stats().functions.slow!.environments.idle).toBeGreaterThan(1)
    await until(() => host.stats().functions.slow!.environments.idle === 1)
    await afterIdleTimersFired(host, 'probe')
    expect(host.stats().functions.slow!.environments.idle).toBe(1)
  })

  it('replaces a minWarm environment that crashed', async () => {
    const { host } = testHost({
      functions: { errors: { handler: fixture('errors.mjs'), minWarm: 1, maxConcurrency: 1 } },
    })
    await until(() => host.stats().functions.errors!.environments.idle === 1)
    await host.invoke('errors', { kind: 'exit' }).catch(() => undefined)
    await until(() => host.stats().functions.errors!.environments.idle === 1)
    expect(await host.invoke('errors', {})).toBe('ok')
    expect(host.stats().functions.errors!.coldStarts).toBe(0)
  })
})

describe('minWarm with broken code', () => {
  it('does not restart environments in a loop when init keeps failing', async () => {
    const { host, logs } = testHost({
      functions: { broken: { handler: fixture('init-throws.mjs'), minWarm: 1 } },
    })
    await until(() => logs.some((entry) => entry.line.includes('Status: error')))
    // A replacement would be started in the same turn as the failure is
    // reported (the pool replenishes as an environment dies): none is.
    expect(host.stats().functions.broken!.environments).toMatchObject({ starting: 0, idle: 0, busy: 0 })
    await until(() => host.stats().threads === 0)
    expect(logs.filter((entry) => entry.line.includes('INIT_REPORT'))).toHaveLength(1)
  })

  it('does not replace minWarm environments that crash before they are handed an event', async () => {
    const loadLog = join(tempDir('lambdalet-warm-'), 'loads.log')
    const { host } = testHost({
      functions: { f: { handler: fixture('load-time-timer.mjs'), minWarm: 1, env: { LOAD_LOG: loadLog } } },
    })
    const environments = () => host.stats().functions.f!.environments
    await until(() => existsSync(loadLog))
    // It loads, then its timer kills it. A replacement would be started in
    // the same turn as it dies, so "no environment at all" is only ever
    // seen if none was started.
    await until(() => environments().starting + environments().idle + environments().busy === 0)
    expect(readFileSync(loadLog, 'utf8').trim().split('\n')).toHaveLength(1)
  })

  it('reports a failed init once when an invocation took over a pre-warmed environment', async () => {
    const { host, logs } = testHost({ functions: { broken: { handler: fixture('init-throws.mjs'), minWarm: 1 } } })
    const raw = await host.invokeRaw('broken', '{}')
    expect(raw.functionError).toBe(true)
    expect(logs.filter((entry) => entry.line.includes('INIT_REPORT'))).toHaveLength(1)
  })
})
