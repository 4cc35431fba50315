import { describe, expect, it } from 'vitest'
import { fixture, fixtures, suiteHost } from './helpers.js'

describe('handler forms', () => {
  const { host, logs } = suiteHost({
    functions: {
      lambdaStyle: { handler: 'src/index.handler', codeDir: fixture('lambda-style') },
      nested: { handler: 'lambda-style/src/index.nested.main', codeDir: fixtures },
      callback: { handler: fixture('callback.cjs') },
      named: { handler: fixture('echo-value.mjs#handler') },
    },
  })

  it('resolves a Lambda-style handler against codeDir, loading CommonJS', async () => {
    expect(await host.invoke('lambdaStyle', { a: 1 })).toEqual({ style: 'lambda', event: { a: 1 } })
  })

  it('reaches a nested export', async () => {
    expect(await host.invoke('nested')).toBe('nested export')
  })

  it('takes a named export after #', async () => {
    expect(await host.invoke('named', 'x')).toBe('x')
  })

  it('runs a callback-style handler and warns once that Lambda dropped them', async () => {
    expect(await host.invoke('callback', {})).toEqual({ via: 'callback', name: 'callback' })
    expect(await host.invoke('callback', {})).toEqual({ via: 'callback', name: 'callback' })
    await expect(host.invoke('callback', { fail: true })).rejects.toMatchObject({ errorMessage: 'callback failure' })
    const warnings = logs.filter((e) => e.kind === 'function' && e.level === 'WARN')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.line).toContain('nodejs24.x')
  })
})
