import { describe, expect, it } from 'vitest'
import { fixture, suiteHost } from './helpers.js'

describe('round trip', () => {
  const { host } = suiteHost({
    functions: {
      echo: { handler: fixture('echo-value.mjs') },
      undef: { handler: fixture('echo-value.mjs#returnsUndefined') },
    },
  })

  it('returns Unicode, nested values and null unchanged', async () => {
    const event = { text: 'ünïcødé ✓ 🚀 \u0000 "quotes"', nested: { list: [1, 2.5, null, true, { deep: ['a'] }] } }
    expect(await host.invoke('echo', event)).toEqual(event)
    expect(await host.invoke('echo', null)).toBeNull()
    expect(await host.invoke('echo', 'plain string')).toBe('plain string')
    expect(await host.invoke('echo', 42)).toBe(42)
  })

  it('turns an undefined result into null', async () => {
    expect(await host.invoke('undef', {})).toBeNull()
  })

  it('gives the raw call JSON text in and out without throwing', async () => {
    const raw = await host.invokeRaw('echo', '{"a":[1,2]}')
    expect(raw.functionError).toBe(false)
    expect(raw.payload).toBe('{"a":[1,2]}')
    expect(raw.requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(raw.executedVersion).toBe('$LATEST')
  })

  it('reports a payload that is not JSON as InvalidRequestContentException', async () => {
    const error = await host.invokeRaw('echo', '{not json').catch((e: unknown) => e)
    expect(error).toMatchObject({ errorType: 'InvalidRequestContentException', statusCode: 400 })
    expect(await host.invoke('echo', { still: 'serving' })).toEqual({ still: 'serving' })
  })

  it('rejects an unknown function with ResourceNotFoundException', async () => {
    const error = await host.invoke('nope', {}).catch((e: unknown) => e)
    expect(error).toMatchObject({ errorType: 'ResourceNotFoundException', statusCode: 404 })
    expect(String((error as Error).message)).toContain('function:nope')
  })
})
