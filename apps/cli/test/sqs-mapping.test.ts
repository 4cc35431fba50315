import { createHash } from 'node:crypto'
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs'
import { describe, expect, it, vi } from 'vitest'
import { type Batch, queueServer } from './sqs-helpers.js'

const SOON = { timeout: 20_000, interval: 50 }

describe('SQS event source mappings', () => {
  it('delivers each of 100 messages sent with the SDK exactly once, in batches of at most batchSize', async () => {
    const { sqs, queueUrl, batches, open } = await queueServer({
      queues: { orders: { visibilityTimeoutSeconds: 60 } },
      mapping: { queue: 'orders', batchSize: 4 },
      // Gated and one at a time: while the first batch waits, the rest piles up in the queue.
      consumer: { maxConcurrency: 1, env: { GATED: '1' } },
    })
    const sent: string[] = []
    for (let i = 0; i < 100; i += 10) {
      const { Successful, Failed } = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl('orders'),
          Entries: Array.from({ length: 10 }, (_, j) => ({
            Id: `m${i + j}`,
            MessageBody: JSON.stringify({ n: i + j }),
          })),
        }),
      )
      expect(Failed ?? []).toEqual([])
      sent.push(...(Successful ?? []).map((entry) => entry.MessageId as string))
    }
    expect(new Set(sent).size).toBe(100)
    open()
    await vi.waitFor(() => expect(batches().flat()).toHaveLength(100), SOON)

    const all = batches()
    const received = all.flat().map((record) => record.messageId)
    expect(received.sort()).toEqual([...sent].sort())
    expect(Math.max(...all.map((batch) => batch.length))).toBe(4)
    // Every batch after the first was taken from a full queue: full, except the last.
    expect(all.slice(1, -1).every((batch) => batch.length === 4)).toBe(true)

    const [record] = all[0] as Batch
    expect(record).toEqual({
      messageId: expect.any(String),
      receiptHandle: expect.any(String),
      body: record!.body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: '000000000000',
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(record!.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:orders',
      awsRegion: 'us-east-1',
    })
  })

  it('sends back only the messages a handler lists in batchItemFailures, each alone', async () => {
    const { sqs, queueUrl, batches } = await queueServer({
      queues: { orders: { visibilityTimeoutSeconds: 1 } },
      mapping: { queue: 'orders', batchSize: 10, functionResponseTypes: ['ReportBatchItemFailures'] },
    })
    const { Successful } = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl('orders'),
        Entries: [
          { Id: 'a', MessageBody: '{"key":"a"}' },
          { Id: 'b', MessageBody: '{"key":"b","fail":true}' },
          { Id: 'c', MessageBody: '{"key":"c"}' },
        ],
      }),
    )
    const idOf = (key: string) => Successful?.find((entry) => entry.Id === key)?.MessageId
    const receipts = (key: string) =>
      batches()
        .flat()
        .filter((record) => record.messageId === idOf(key))
    await vi.waitFor(() => expect(receipts('b')).toHaveLength(3), SOON)

    const all = batches()
    expect(all[0]?.map((record) => JSON.parse(record.body).key)).toEqual(['a', 'b', 'c'])
    expect(receipts('a')).toHaveLength(1)
    expect(receipts('c')).toHaveLength(1)
    expect(receipts('b').map((record) => record.attributes['ApproximateReceiveCount'])).toEqual(['1', '2', '3'])
    // The retries carry b alone.
    expect(all.slice(1).every((batch) => batch.length === 1 && batch[0]?.messageId === idOf('b'))).toBe(true)
  })

  it.each([
    ['the handler throws', '{"key":"bad","throw":true}'],
    ['its batchItemFailures cannot be read', '{"key":"bad","malformed":true}'],
  ])('returns every message of the batch when %s', async (_, badBody) => {
    const { sqs, queueUrl, batches } = await queueServer({
      queues: { orders: { visibilityTimeoutSeconds: 1 } },
      mapping: { queue: 'orders', functionResponseTypes: ['ReportBatchItemFailures'] },
    })
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl('orders'),
        Entries: [
          { Id: 'ok', MessageBody: '{"key":"ok"}' },
          { Id: 'bad', MessageBody: badBody },
        ],
      }),
    )
    const seen = () =>
      batches()
        .flat()
        .map((record) => `${JSON.parse(record.body).key}#${record.attributes['ApproximateReceiveCount']}`)
    // ok comes back too: nothing of a failed batch is deleted.
    await vi.waitFor(() => expect(seen()).toEqual(expect.arrayContaining(['ok#2', 'bad#2'])), SOON)
    expect(batches()[0]?.map((record) => JSON.parse(record.body).key)).toEqual(['ok', 'bad'])
  })

  it('moves a poison message to the dead-letter queue after maxReceiveCount receipts', async () => {
    const { sqs, queueUrl, batches } = await queueServer({
      queues: {
        orders: { visibilityTimeoutSeconds: 1, maxReceiveCount: 2, deadLetterQueue: 'orders-dlq' },
        'orders-dlq': {},
      },
      mapping: { queue: 'orders', batchSize: 1 },
    })
    const { MessageId } = await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl('orders'), MessageBody: '{"poison":true,"throw":true}' }),
    )
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl('orders-dlq'),
        WaitTimeSeconds: 20,
        MessageSystemAttributeNames: ['All'],
      }),
    )
    expect(Messages).toHaveLength(1)
    expect(Messages?.[0]).toMatchObject({ MessageId, Body: '{"poison":true,"throw":true}' })
    expect(Messages?.[0]?.Attributes?.['ApproximateReceiveCount']).toBe('1')
    const seen = batches()
      .flat()
      .filter((record) => record.messageId === MessageId)
    expect(seen.map((record) => record.attributes['ApproximateReceiveCount'])).toEqual(['1', '2'])
  })

  it('cuts a batch before its event passes 6 MB and delivers the rest in the next one', async () => {
    const { sqs, queueUrl, batches, open } = await queueServer({
      queues: { orders: { visibilityTimeoutSeconds: 60 } },
      mapping: { queue: 'orders', batchSize: 10 },
      consumer: { maxConcurrency: 1, env: { GATED: '1' } },
    })
    const MiB = 1024 * 1024
    for (let i = 0; i < 7; i++) {
      // 1 MiB each, the most a message may be.
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl('orders'), MessageBody: String(i).padEnd(MiB, '.') }))
    }
    open()
    await vi.waitFor(() => expect(batches().flat()).toHaveLength(7), SOON)
    const all = batches()
    expect(all.map((batch) => batch.length)).toEqual([1, 5, 1])
    for (const batch of all) expect(Buffer.byteLength(JSON.stringify({ Records: batch }))).toBeLessThanOrEqual(6 * MiB)
    expect(new Set(all.flat().map((record) => record.body[0])).size).toBe(7)
  })

  it('runs at most maximumConcurrency batches at once', async () => {
    const { sqs, queueUrl, batches, open } = await queueServer({
      queues: { orders: {} },
      mapping: { queue: 'orders', batchSize: 1, maximumConcurrency: 2 },
      consumer: { maxConcurrency: 5, env: { GATED: '1' } },
    })
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl('orders'),
        Entries: Array.from({ length: 5 }, (_, i) => ({ Id: `m${i}`, MessageBody: `{"n":${i}}` })),
      }),
    )
    await vi.waitFor(() => expect(batches()).toHaveLength(2), SOON)
    // The function has room for 5; the mapping takes no third batch while two run.
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl('orders'), AttributeNames: ['All'] }),
    )
    expect(Attributes).toMatchObject({ ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesNotVisible: '2' })
    expect(batches()).toHaveLength(2)
    open()
    await vi.waitFor(() => expect(batches()).toHaveLength(5), SOON)
  })
})
