import { describe, expect, it } from 'vitest'
import { batchOutcome } from './batch-response.js'

const batch = new Set(['m1', 'm2', 'm3'])

describe('batchOutcome', () => {
  it.each([
    ['null', 'null'],
    ['an empty object', '{}'],
    ['an empty list', '{"batchItemFailures":[]}'],
    ['a null list', '{"batchItemFailures":null}'],
  ])('treats %s as complete success', (_, payload) => {
    expect(batchOutcome(payload, batch)).toEqual({ kind: 'all-succeeded' })
  })

  it('names the failed messages', () => {
    expect(batchOutcome('{"batchItemFailures":[{"itemIdentifier":"m2"},{"itemIdentifier":"m3"}]}', batch)).toEqual({
      kind: 'some-failed',
      ids: new Set(['m2', 'm3']),
    })
  })

  it.each([
    ['text that is not JSON', 'not json'],
    ['a string', '"ok"'],
    ['an array', '[]'],
    ['a list that is not an array', '{"batchItemFailures":{"itemIdentifier":"m1"}}'],
    ['an empty itemIdentifier', '{"batchItemFailures":[{"itemIdentifier":""}]}'],
    ['a null itemIdentifier', '{"batchItemFailures":[{"itemIdentifier":null}]}'],
    ['a misspelt key', '{"batchItemFailures":[{"itemId":"m1"}]}'],
    ['an id not in the batch', '{"batchItemFailures":[{"itemIdentifier":"m9"}]}'],
  ])('fails the whole batch for %s', (_, payload) => {
    expect(batchOutcome(payload, batch)).toEqual({ kind: 'all-failed' })
  })
})
