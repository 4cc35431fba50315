import { describe, expect, it } from 'vitest'
import { parseHandler } from './handler-spec.js'

describe('parseHandler', () => {
  it('takes the handler export of a file path', () => {
    expect(parseHandler('fns/hello.mjs', '/code')).toEqual({
      candidates: ['/code/fns/hello.mjs'],
      exportName: 'handler',
    })
  })

  it('keeps absolute paths', () => {
    expect(parseHandler('/abs/hello.cjs', '/code').candidates).toEqual(['/abs/hello.cjs'])
  })

  it('takes the export after #', () => {
    expect(parseHandler('hello.mjs#other', '/code')).toEqual({ candidates: ['/code/hello.mjs'], exportName: 'other' })
  })

  it('resolves the Lambda style against codeDir, trying .js, .mjs, .cjs, then .ts, .mts and .cts', () => {
    expect(parseHandler('src/index.handler', '/code')).toEqual({
      candidates: ['js', 'mjs', 'cjs', 'ts', 'mts', 'cts'].map((extension) => `/code/src/index.${extension}`),
      exportName: 'handler',
    })
  })

  it.each(['hello.ts', 'hello.mts', 'hello.cts'])('takes the handler export of the TypeScript file %s', (file) => {
    expect(parseHandler(file, '/code')).toEqual({ candidates: [`/code/${file}`], exportName: 'handler' })
  })

  it('keeps a dotted export path for nested Lambda-style handlers', () => {
    expect(parseHandler('index.handlers.main', '/code').exportName).toBe('handlers.main')
  })

  it.each(['', 'index', 'index.', 'file.mjs#', '#handler'])('rejects the malformed handler %j', (handler) => {
    expect(() => parseHandler(handler, '/code')).toThrow(/handler/)
  })
})
