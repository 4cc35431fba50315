import { describe, expect, it } from 'vitest'
import { type Outcome, settlement } from './outcome.js'

const error = { errorType: 'TypeError', errorMessage: 'x', trace: ['at f'] }

describe('settlement', () => {
  it.each<[string, Outcome, { answer: string; counted: boolean; error: boolean; timeout: boolean; report: unknown }]>([
    [
      'a response',
      { kind: 'response', body: '1', durationMs: 1 },
      { answer: 'result', counted: true, error: false, timeout: false, report: {} },
    ],
    [
      'a function error',
      { kind: 'error', error, invalidEvent: false, durationMs: 1 },
      { answer: 'function error', counted: true, error: true, timeout: false, report: { status: 'error' } },
    ],
    [
      'an event that is not JSON',
      { kind: 'error', error, invalidEvent: true, durationMs: 1 },
      { answer: 'InvalidRequestContentException', counted: true, error: false, timeout: false, report: {} },
    ],
    [
      'a timeout',
      { kind: 'timeout', error },
      { answer: 'function error', counted: true, error: true, timeout: true, report: { status: 'timeout' } },
    ],
    [
      'a crash',
      { kind: 'crash', error },
      { answer: 'function error', counted: true, error: true, timeout: false, report: { status: 'error' } },
    ],
    [
      'an init failure',
      { kind: 'init-failed', error },
      { answer: 'function error', counted: true, error: true, timeout: false, report: null },
    ],
    [
      'a forced close mid-run',
      { kind: 'aborted', error: { ...error, errorType: 'ServiceException' } },
      { answer: 'ServiceException', counted: true, error: false, timeout: false, report: { status: 'error' } },
    ],
    [
      'a close before it started',
      { kind: 'not-started', error: { ...error, errorType: 'ServiceException' } },
      { answer: 'ServiceException', counted: false, error: false, timeout: false, report: null },
    ],
  ])('settles %s', (_, outcome, expected) => {
    const settled = settlement(outcome, 'r1')
    const answer =
      settled.answer instanceof Error
        ? settled.answer.errorType
        : settled.answer.functionError
          ? 'function error'
          : 'result'
    expect({ ...settled, answer }).toEqual(expected)
    expect(settled.answer.requestId).toBe('r1')
  })

  it('answers a function error with the payload the Invoke API returns', () => {
    const { answer } = settlement({ kind: 'crash', error }, 'r1')
    expect(answer).toEqual({
      requestId: 'r1',
      payload: JSON.stringify(error),
      functionError: true,
      errorType: 'TypeError',
      executedVersion: '$LATEST',
    })
  })
})
