import { describe, expect, it } from 'vitest'
import { fixture, fixtures, testHost } from './helpers.js'

describe('isolation', () => {
  it("gives each function its own process.env and globals", async () => {
    process.env.LAMBDALET_TEST_SECRET = 'host secret'
    const { host } = testHost({
      functions: {
        one: { handler: fixture('env.mjs'), env: { MARKER: 'one' }, memoryMb: 64 },
        two: { handler: fixture('env.mjs'), env: { MARKER: 'two', OTHER: 'x' } },
        setOne: { handler: fixture('env.mjs#setEnv'), env: { MARKER: 'one' } },
      },
    })
    try {
      expect(await host.invoke('one')).toEqual({
        marker: 'one', other: null, globalMarker: 'one', functionName: 'one', memory: '64', secret: null,
        taskRoot: fixtures.replace(/\/$/, ''), handler: fixture('env.mjs'),
      })
      expect(await host.invoke('two')).toMatchObject({ marker: 'two', other: 'x', globalMarker: 'two' })
      expect(await host.invoke('setOne', { value: 'changed' })).toBe('changed')
      // Neither the other functions nor the host see the change.
      expect(await host.invoke('one')).toMatchObject({ marker: 'one' })
      expect(await host.invoke('two')).toMatchObject({ marker: 'two' })
      expect(process.env.MARKER).toBeUndefined()
      expect((globalThis as Record<string, unknown>).leak).toBeUndefined()
    } finally {
      delete process.env.LAMBDALET_TEST_SECRET
      await host.close()
    }
  })
})
