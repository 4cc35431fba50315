import { describe, expect, it } from 'vitest'
import { fixture, rejectionOf, testHost, until } from './helpers.js'

describe('functions added and removed while the host runs', () => {
  it('serves a function added after start', async () => {
    const { host } = testHost({ functions: {} })
    expect((await rejectionOf(host.invoke('late', 1))).errorType).toBe('ResourceNotFoundException')
    host.addFunction('late', { handler: fixture('echo-value.mjs') })
    expect(host.functionNames()).toEqual(['late'])
    expect(await host.invoke('late', 'here')).toBe('here')
  })

  it('refuses a name that is served already', () => {
    const { host } = testHost({ functions: { echo: { handler: fixture('echo-value.mjs') } } })
    expect(() => host.addFunction('echo', { handler: fixture('echo-value.mjs') })).toThrow(/served already/)
  })

  it('lets an accepted invocation of a removed function finish, and refuses new ones at once', async () => {
    const { host } = testHost({ functions: { slow: { handler: fixture('slow.mjs') } } })
    const running = host.invoke('slow', { sleepMs: 500 })
    await until(() => host.stats().functions.slow?.environments.busy === 1)
    const removed = host.removeFunction('slow')
    expect((await rejectionOf(host.invoke('slow', {}))).errorType).toBe('ResourceNotFoundException')
    expect(await running).toMatchObject({ count: 1 })
    await removed
    expect(host.functionNames()).toEqual([])
  })
})
