import { MAX_MESSAGE_BYTES, QueueError } from '@lambdalet/protocol'
import { describe, expect, it } from 'vitest'
import { checkMessage, md5OfAttributes } from './sqs-message.js'

describe('md5OfAttributes', () => {
  // Values other SQS implementations check against what SQS returned.
  it.each([
    [{ SellerName: { DataType: 'String', StringValue: 'Example Store' } }, 'cd28f3b68aeee4b2eac9c66f2f694b58'],
    [{ timestamp: { DataType: 'Number', StringValue: '1493147359900' } }, '235c5c510d26fb653d073faed50ae77c'],
    [
      { ordinal: { DataType: 'Number', StringValue: '1' }, category: { DataType: 'String', StringValue: 'test' } },
      'd21ae90c49061e927f57df5f5d72be1f',
    ],
  ])('computes SQS’s digest of %j', (attributes, expected) => {
    expect(md5OfAttributes(attributes)).toBe(expected)
  })
})

describe('checkMessage', () => {
  it('takes a body of exactly 1 MiB and refuses one byte more', () => {
    expect(checkMessage({ body: 'x'.repeat(MAX_MESSAGE_BYTES) })).toEqual({ body: 'x'.repeat(MAX_MESSAGE_BYTES) })
    const refused = checkMessage({ body: 'x'.repeat(MAX_MESSAGE_BYTES + 1) })
    expect(refused).toBeInstanceOf(QueueError)
    expect((refused as QueueError).code).toBe('InvalidParameterValue')
  })

  it('counts attributes towards the limit, and refuses bad ones', () => {
    const half = 'x'.repeat(MAX_MESSAGE_BYTES / 2)
    const big = checkMessage({ body: half, messageAttributes: { a: { DataType: 'String', StringValue: half } } })
    expect((big as QueueError).code).toBe('InvalidParameterValue')
    const code = (message: Parameters<typeof checkMessage>[0]) => (checkMessage(message) as QueueError).code
    expect(code({ body: 'b', messageAttributes: { 'aws.x': { DataType: 'String', StringValue: 'v' } } })).toBe(
      'InvalidParameterValue',
    )
    expect(code({ body: 'b', messageAttributes: { n: { DataType: 'Number', StringValue: 'twelve' } } })).toBe(
      'InvalidParameterValue',
    )
    expect(code({ body: 'b', messageAttributes: { t: { DataType: 'Json', StringValue: '{}' } } })).toBe(
      'InvalidParameterValue',
    )
    expect(code({ body: '' })).toBe('MissingParameter')
    expect(code({ body: 'nul \u0000' })).toBe('InvalidMessageContents')
  })
})
