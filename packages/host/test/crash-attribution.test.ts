import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { fixture, testHost } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'lambdalet-crash-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('crash attribution', () => {
  it('does not blame the next invocation for a rejection left by the previous one', async () => {
    const { host } = testHost({ functions: { f: { handler: fixture('late-crash.mjs'), maxConcurrency: 1 } } })
    try {
      expect(await host.invoke('f', { kind: 'late-reject' })).toEqual({ runs: 1 })
      // The environment crashes with the first invocation's rejection; the
      // second runs, once, on a fresh one.
      expect(await host.invoke('f', {})).toEqual({ runs: 1 })
      expect(await host.invoke('f', {})).toEqual({ runs: 2 })
    } finally {
      await host.close()
    }
  })

  it('runs an event exactly once when its environment crashed while the event was on its way', async () => {
    const file = join(dir, 'runs.log')
    const { host } = testHost({ functions: { f: { handler: fixture('late-crash.mjs'), maxConcurrency: 1 } } })
    try {
      await host.invoke('f', { kind: 'idle-throw' })
      const results = await Promise.allSettled([1, 2, 3].map((id) => host.invoke('f', { id, file })))
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled'])
      expect(readFileSync(file, 'utf8').trim().split('\n').sort()).toEqual(['1', '2', '3'])
    } finally {
      await host.close()
    }
  })

  it('gives up after one re-run when every fresh environment crashes before taking the event', async () => {
    const { host, logs } = testHost({ functions: { f: { handler: fixture('load-time-timer.mjs'), maxConcurrency: 1 } } })
    try {
      const outcome = await host.invoke('f').then(
        (value) => ({ value }),
        (error: { errorType: string; errorMessage: string }) => ({ errorType: error.errorType, errorMessage: error.errorMessage }),
      )
      // Either the handler won the race, or the timer's error is the answer: never an endless retry.
      if ('errorType' in outcome) expect(outcome).toEqual({ errorType: 'Error', errorMessage: 'thrown by a timer set at load time' })
      else expect(outcome.value).toBe('never reached, or reached by luck')
      expect(host.stats().functions.f!.coldStarts).toBeLessThanOrEqual(2)
      const starts = logs.filter((entry) => entry.kind === 'start')
      expect(starts).toHaveLength(1)
    } finally {
      await host.close()
    }
  })
})
