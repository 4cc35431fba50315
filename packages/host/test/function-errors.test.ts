import { describe, expect, it } from 'vitest'
import { fixture, rejectionOf, suiteHost } from './helpers.js'

describe('function errors', () => {
  const { host } = suiteHost({ functions: { errors: { handler: fixture('errors.mjs'), maxConcurrency: 2 } } })

  it('reports a thrown Error by its name, with message and trace', async () => {
    const error = await rejectionOf(host.invoke('errors', { kind: 'type-error' }))
    expect(error.errorType).toBe('TypeError')
    expect(error.errorMessage).toBe('bad type')
    expect(error.name).toBe('TypeError')
    expect((error.trace as string[])[0]).toContain('TypeError: bad type')
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('reports a custom error name as its type', async () => {
    expect(await rejectionOf(host.invoke('errors', { kind: 'custom' }))).toMatchObject({
      errorType: 'MyCustomError',
      errorMessage: 'custom failure',
    })
  })

  it('reports a thrown non-Error value by its typeof', async () => {
    expect(await rejectionOf(host.invoke('errors', { kind: 'string' }))).toMatchObject({
      errorType: 'string',
      errorMessage: 'just a string',
    })
  })

  it.each([
    ['bigint', /BigInt/],
    ['cycle', /circular/i],
    ['function', /function/],
  ])('reports a %s result as Runtime.SerializationError that says why', async (kind, why) => {
    const error = await rejectionOf(host.invoke('errors', { kind }))
    expect(error.errorType).toBe('Runtime.SerializationError')
    expect(error.errorMessage).toMatch(why)
  })

  it('reports a result over 6 MB as Function.ResponseSizeTooLarge', async () => {
    const error = await rejectionOf(host.invoke('errors', { kind: 'too-large' }))
    expect(error.errorType).toBe('Function.ResponseSizeTooLarge')
  })

  it('keeps the environment warm after a function error', async () => {
    const before = host.stats().functions.errors!.coldStarts
    await rejectionOf(host.invoke('errors', { kind: 'type-error' }))
    expect(await host.invoke('errors', {})).toBe('ok')
    expect(host.stats().functions.errors!.coldStarts).toBe(before)
  })

  it('marks a function error in the raw call instead of throwing', async () => {
    const raw = await host.invokeRaw('errors', '{"kind":"type-error"}')
    expect(raw.functionError).toBe(true)
    expect(raw.errorType).toBe('TypeError')
    expect(JSON.parse(raw.payload)).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad type' })
  })
})
