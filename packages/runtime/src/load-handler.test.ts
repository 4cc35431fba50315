import { fileURLToPath } from 'node:url'
import { parseHandler, type RuntimeConfig } from '@lambdalet/protocol'
import { describe, expect, it } from 'vitest'
import { loadHandler } from './load-handler.js'

const fixtures = fileURLToPath(new URL('../test/fixtures/', import.meta.url))

function config(handler: string): RuntimeConfig {
  const spec = parseHandler(handler, fixtures)
  return {
    functionName: 'f',
    invokedFunctionArn: 'arn',
    functionVersion: '$LATEST',
    moduleCandidates: spec.candidates,
    exportName: spec.exportName,
    handlerName: handler,
    memoryLimitInMB: 128,
    logGroupName: 'g',
    logStreamName: 's',
    logFormat: 'Text',
    logLevel: 'TRACE',
    logBudgetBytes: 1024,
  }
}

describe('loadHandler', () => {
  it('loads an ES module export', async () => {
    const handler = await loadHandler(config('esm.mjs'))
    expect(await handler({ x: 1 }, {})).toEqual({ esm: { x: 1 } })
  })

  it('loads a CommonJS export, Lambda style, trying extensions', async () => {
    const handler = await loadHandler(config('common.handler'))
    expect(await handler('e', {})).toEqual({ cjs: 'e' })
  })

  it('loads a nested export', async () => {
    const handler = await loadHandler(config('common.nested.main'))
    expect(await handler(null, {})).toBe('nested')
  })

  it('reports a missing module as Runtime.ImportModuleError', async () => {
    await expect(loadHandler(config('absent.handler'))).rejects.toMatchObject({ name: 'Runtime.ImportModuleError' })
  })

  it('reports a missing import inside the module as Runtime.ImportModuleError', async () => {
    await expect(loadHandler(config('bad-import.mjs'))).rejects.toMatchObject({
      name: 'Runtime.ImportModuleError',
      message: expect.stringContaining('not-a-real-package'),
    })
  })

  it('reports a missing export as Runtime.HandlerNotFound', async () => {
    await expect(loadHandler(config('esm.mjs#nope'))).rejects.toMatchObject({
      name: 'Runtime.HandlerNotFound',
      message: 'esm.mjs#nope is undefined or not exported',
    })
  })
})
