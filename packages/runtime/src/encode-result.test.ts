import { describe, expect, it } from 'vitest'
import { encodeResult } from './encode-result.js'

describe('encodeResult', () => {
  it('encodes values as JSON and undefined as null', () => {
    expect(encodeResult({ a: [1, 'ü'] })).toBe('{"a":[1,"ü"]}')
    expect(encodeResult(undefined)).toBe('null')
    expect(encodeResult(null)).toBe('null')
    expect(encodeResult('text')).toBe('"text"')
  })

  it.each([
    ['a BigInt', { n: 1n }, /BigInt/],
    [
      'a cycle',
      (() => {
        const a: Record<string, unknown> = {}
        a.a = a
        return a
      })(),
      /circular/i,
    ],
    ['a function', () => 1, /function is not JSON/],
    ['a symbol', Symbol('s'), /symbol is not JSON/],
  ])('reports %s as Runtime.SerializationError', (_, value, why) => {
    expect(() => encodeResult(value)).toThrow(
      expect.objectContaining({ name: 'Runtime.SerializationError', message: expect.stringMatching(why) }),
    )
  })

  it('rejects a result over 6 MB, counting UTF-8 bytes', () => {
    expect(() => encodeResult('é'.repeat(3_200_000))).toThrow(
      expect.objectContaining({ name: 'Function.ResponseSizeTooLarge' }),
    )
    expect(encodeResult('a'.repeat(3_200_000)).length).toBe(3_200_002)
  })
})
