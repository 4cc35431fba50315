import { copyFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fixture, rejectionOf, tempDir, testHost } from './helpers.js'

describe('init errors', () => {
  it.each([
    ['missing.mjs', 'Runtime.ImportModuleError', /Cannot find module 'missing.mjs'/],
    ['syntax-error.mjs', 'Runtime.UserCodeSyntaxError', /SyntaxError/],
    ['no-handler.mjs', 'Runtime.HandlerNotFound', /is undefined or not exported/],
    ['init-throws.mjs', 'Error', /broken at load time/],
  ])('fails the invocation when %s cannot initialise, and the host survives', async (file, errorType, message) => {
    const { host, logs } = testHost({
      functions: { broken: { handler: fixture(file) }, ok: { handler: fixture('echo-value.mjs') } },
    })
    const error = await rejectionOf(host.invoke('broken', {}))
    expect(error.errorType).toBe(errorType)
    expect(error.errorMessage).toMatch(message)
    expect(logs.some((entry) => entry.line.includes(`Status: error\tError Type: ${errorType}`))).toBe(true)
    expect(await host.invoke('ok', 'still serving')).toBe('still serving')
    expect(host.stats().functions.broken!.environments).toMatchObject({ idle: 0, busy: 0, starting: 0 })
  })

  it('sends none of a file that does not parse back to the caller', async () => {
    // A CommonJS file, whose syntax errors Node reports with the offending line.
    const file = join(tempDir('lambdalet-not-js-'), 'not-javascript.cjs')
    writeFileSync(file, 'password: correct horse battery staple\nsecond line of a file that is not JavaScript\n')
    const { host } = testHost({ functions: { broken: { handler: file } } })
    const error = await rejectionOf(host.invoke('broken', {}))
    expect(error).toMatchObject({
      errorType: 'Runtime.UserCodeSyntaxError',
      errorMessage: 'SyntaxError: Unexpected identifier',
    })
    const trace = error.trace as string[]
    expect(trace[0]).toBe('Runtime.UserCodeSyntaxError: SyntaxError: Unexpected identifier')
    expect(trace[1]).toMatch(/not-javascript\.cjs:1$/)
    expect(JSON.stringify(error)).not.toMatch(/password|correct|horse|battery|staple|second line/)
  })

  it('retries init on the next invocation, so fixing the file fixes the function', async () => {
    const file = join(tempDir('lambdalet-init-'), 'handler.mjs')
    writeFileSync(file, "throw new Error('not yet')\n")
    const { host } = testHost({ functions: { fixable: { handler: file } } })
    expect((await rejectionOf(host.invoke('fixable'))).errorMessage).toBe('not yet')
    expect((await rejectionOf(host.invoke('fixable'))).errorMessage).toBe('not yet')
    copyFileSync(fixture('echo-value.mjs'), file)
    expect(await host.invoke('fixable', 'fixed')).toBe('fixed')
  })

  it('times out an init that never finishes, using its own budget', async () => {
    const { host } = testHost({
      functions: { spin: { handler: fixture('init-spin.mjs'), initTimeoutMs: 500, timeoutMs: 60_000 } },
    })
    const started = Date.now()
    const error = await rejectionOf(host.invoke('spin'))
    expect(error.errorType).toBe('Sandbox.Timedout')
    expect(error.errorMessage).toBe('Init timed out after 0.50 seconds')
    expect(Date.now() - started).toBeLessThan(2000)
  })
})
