import { describe, expect, it } from 'vitest'
import { isLambdaError, LambdaError, serviceError, toErrorShape } from './errors.js'

describe('toErrorShape', () => {
  it("uses an Error's name as its type and its stack as the trace", () => {
    const shape = toErrorShape(new RangeError('out of range'))
    expect(shape.errorType).toBe('RangeError')
    expect(shape.errorMessage).toBe('out of range')
    expect(shape.trace[0]).toBe('RangeError: out of range')
  })

  it('uses typeof for thrown values that are not errors', () => {
    expect(toErrorShape('boom')).toEqual({ errorType: 'string', errorMessage: 'boom', trace: [] })
    expect(toErrorShape(42)).toEqual({ errorType: 'number', errorMessage: '42', trace: [] })
    expect(toErrorShape({ code: 1 })).toEqual({ errorType: 'object', errorMessage: '{"code":1}', trace: [] })
    expect(toErrorShape(undefined)).toEqual({ errorType: 'undefined', errorMessage: 'undefined', trace: [] })
  })

  it('survives values that cannot be stringified', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(toErrorShape(cyclic)).toMatchObject({ errorType: 'object', errorMessage: '[object Object]' })
  })

  it('reports a thrown object shaped like a platform error by its typeof, so a handler cannot pose as one', () => {
    const shape = { errorType: 'Sandbox.Timedout', errorMessage: 'not really', trace: [] }
    expect(toErrorShape(shape)).toMatchObject({ errorType: 'object', errorMessage: JSON.stringify(shape) })
  })
})

describe('LambdaError', () => {
  it('carries the Lambda fields and a status code for service errors', () => {
    const error = serviceError('TooManyRequestsException', 'Rate Exceeded.', { reason: 'X', requestId: 'r1' })
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe('TooManyRequestsException')
    expect(error.statusCode).toBe(429)
    expect(error.reason).toBe('X')
    expect(error.requestId).toBe('r1')
    expect(isLambdaError(error)).toBe(true)
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      errorType: 'TooManyRequestsException',
      errorMessage: 'Rate Exceeded.',
      trace: [],
    })
  })

  it('has no status code for function errors', () => {
    expect(new LambdaError({ errorType: 'TypeError', errorMessage: 'x', trace: [] }).statusCode).toBeUndefined()
    expect(isLambdaError(new Error('plain'))).toBe(false)
  })
})
