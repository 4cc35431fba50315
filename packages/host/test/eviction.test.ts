import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fixture, testHost, until } from './helpers.js'

describe('idle eviction and minWarm', () => {
  it('terminates an environment idle for idleTimeoutMs', async () => {
    const { host } = testHost({ functions: { counter: { handler: fixture('counter.mjs'), idleTimeoutMs: 300 } } })
    try {
      await host.invoke('counter')
      expect(host.stats().functions.counter!.environments.idle).toBe(1)
      await until(() => host.stats().functions.counter!.environments.idle === 0)
      await until(() => host.stats().threads === 0)
    } finally {
      await host.close()
    }
  })

  it('never evicts a busy environment', async () => {
    const { host } = testHost({
      functions: { slow: { handler: fixture('slow.mjs'), idleTimeoutMs: 100, timeoutMs: 5000 } },
    })
    try {
      // Busy for 600 ms, six idle timeouts long: it must still answer.
      expect(await host.invoke('slow', { sleepMs: 600 })).toMatchObject({ count: 1 })
      expect(host.stats().functions.slow!.environments.idle).toBe(1)
    } finally {
      await host.close()
    }
  })

  it('starts minWarm environments at creation and keeps them past the idle timeout', async () => {
    const { host } = testHost({
      functions: { counter: { handler: fixture('counter.mjs'), minWarm: 2, idleTimeoutMs: 100, maxConcurrency: 4 } },
    })
    try {
      await until(() => host.stats().functions.counter!.environments.idle === 2)
      const first = await host.invoke('counter')
      expect(first).toMatchObject({ count: 1 })
      expect(host.stats().functions.counter!.coldStarts).toBe(0)
      await new Promise((resolve) => setTimeout(resolve, 400))
      expect(host.stats().functions.counter!.environments.idle).toBe(2)
    } finally {
      await host.close()
    }
  })

  it('gives early invocations the pre-warmed environments instead of starting more', async () => {
    const { host } = testHost({
      functions: { counter: { handler: fixture('counter.mjs'), minWarm: 2, maxConcurrency: 2 } },
    })
    try {
      // Sent before the pre-warmed environments have finished initialising.
      await Promise.all(Array.from({ length: 6 }, () => host.invoke('counter')))
      expect(host.stats().threads).toBe(2)
      expect(host.stats().functions.counter!.environments.idle).toBe(2)
      // The first two waited for the pre-warmed environments' init.
      expect(host.stats().functions.counter!.coldStarts).toBe(2)
    } finally {
      await host.close()
    }
  })

  it('evicts environments beyond minWarm', async () => {
    const { host } = testHost({
      functions: { slow: { handler: fixture('slow.mjs'), minWarm: 1, idleTimeoutMs: 200, maxConcurrency: 4 } },
    })
    try {
      await Promise.all(Array.from({ length: 4 }, () => host.invoke('slow', { sleepMs: 100 })))
      expect(host.stats().functions.slow!.environments.idle).toBeGreaterThan(1)
      await until(() => host.stats().functions.slow!.environments.idle === 1)
      await new Promise((resolve) => setTimeout(resolve, 400))
      expect(host.stats().functions.slow!.environments.idle).toBe(1)
    } finally {
      await host.close()
    }
  })

  it('replaces a minWarm environment that crashed', async () => {
    const { host } = testHost({
      functions: { errors: { handler: fixture('errors.mjs'), minWarm: 1, maxConcurrency: 1 } },
    })
    try {
      await until(() => host.stats().functions.errors!.environments.idle === 1)
      await host.invoke('errors', { kind: 'exit' }).catch(() => undefined)
      await until(() => host.stats().functions.errors!.environments.idle === 1)
      expect(await host.invoke('errors', {})).toBe('ok')
      expect(host.stats().functions.errors!.coldStarts).toBe(0)
    } finally {
      await host.close()
    }
  })
})

describe('minWarm with broken code', () => {
  it('does not restart environments in a loop when init keeps failing', async () => {
    const { host, logs } = testHost({
      functions: { broken: { handler: fixture('init-throws.mjs'), minWarm: 1 } },
    })
    try {
      await until(() => logs.some((entry) => entry.line.includes('Status: error')))
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(logs.filter((entry) => entry.line.includes('INIT_REPORT'))).toHaveLength(1)
      expect(host.stats().threads).toBe(0)
    } finally {
      await host.close()
    }
  })

  it('does not replace minWarm environments that crash before they are handed an event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambdalet-warm-'))
    const loadLog = join(dir, 'loads.log')
    const { host } = testHost({
      functions: { f: { handler: fixture('load-time-timer.mjs'), minWarm: 1, env: { LOAD_LOG: loadLog } } },
    })
    try {
      await until(() => existsSync(loadLog))
      await new Promise((resolve) => setTimeout(resolve, 500))
      expect(readFileSync(loadLog, 'utf8').trim().split('\n')).toHaveLength(1)
    } finally {
      await host.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('reports a failed init once when an invocation took over a pre-warmed environment', async () => {
    const { host, logs } = testHost({ functions: { broken: { handler: fixture('init-throws.mjs'), minWarm: 1 } } })
    try {
      const raw = await host.invokeRaw('broken', '{}')
      expect(raw.functionError).toBe(true)
      expect(logs.filter((entry) => entry.line.includes('INIT_REPORT'))).toHaveLength(1)
    } finally {
      await host.close()
    }
  })
})
