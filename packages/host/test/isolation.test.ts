import { describe, expect, it, onTestFinished } from 'vitest'
import { fixture, fixtures, testHost } from './helpers.js'

describe('isolation', () => {
  it('gives each function its own process.env and globals', async () => {
    process.env.LAMBDALET_TEST_SECRET = 'host secret'
    onTestFinished(() => {
      delete process.env.LAMBDALET_TEST_SECRET
    })
    const { host } = testHost({
      functions: {
        one: { handler: fixture('env.mjs'), env: { MARKER: 'one' }, memoryMb: 64 },
        two: { handler: fixture('env.mjs'), env: { MARKER: 'two', OTHER: 'x' } },
        setOne: { handler: fixture('env.mjs#setEnv'), env: { MARKER: 'one' } },
        readOne: { handler: fixture('env.mjs#readEnv'), env: { MARKER: 'one' } },
      },
    })
    expect(await host.invoke('one')).toEqual({
      marker: 'one',
      other: null,
      globalMarker: 'one',
      functionName: 'one',
      memory: '64',
      secret: null,
      taskRoot: fixtures.replace(/\/$/, ''),
      handler: fixture('env.mjs'),
      leak: null,
    })
    expect(await host.invoke('two')).toMatchObject({ marker: 'two', other: 'x', globalMarker: 'two' })
    expect(await host.invoke('setOne', { value: 'changed' })).toBe('changed')
    // The change is real where it was made: the same environment sees it on its next invocation…
    expect(await host.invoke('setOne', {})).toEqual({ marker: 'changed', leak: 'changed' })
    // …and neither another function with the same code and variables, nor the host, does.
    expect(await host.invoke('one')).toMatchObject({ marker: 'one', leak: null })
    expect(await host.invoke('readOne')).toEqual({ marker: 'one', leak: null })
    expect(await host.invoke('two')).toMatchObject({ marker: 'two', leak: null })
    expect(process.env.MARKER).toBeUndefined()
  })
})
