import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda'
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  InvalidAttributeName,
  InvalidAttributeValue,
  ListQueuesCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { fixture, lambdaClient } from './helpers.js'
import { queueServer, sqsClient } from './sqs-helpers.js'

const SOON = { timeout: 20_000, interval: 50 }

const attributes = async (sqs: SQSClient, QueueUrl: string) =>
  (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes ?? {}

const receive = (
  sqs: SQSClient,
  QueueUrl: string,
  options: { WaitTimeSeconds?: number; VisibilityTimeout?: number } = {},
) =>
  sqs.send(
    new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'], ...options }),
  )

describe('the SQS API', () => {
  it('creates, finds and lists queues with URLs on the server, and reports their attributes', async () => {
    const { sqs, server } = await queueServer({ queues: { orders: { visibilityTimeoutSeconds: 45 } } })
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'made-by-api', Attributes: { VisibilityTimeout: '5' } }),
    )
    expect(QueueUrl).toBe(`${server.url}/000000000000/made-by-api`)
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }))).QueueUrl).toBe(
      `${server.url}/000000000000/orders`,
    )
    expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls).toEqual([
      `${server.url}/000000000000/made-by-api`,
      `${server.url}/000000000000/orders`,
    ])
    expect(await attributes(sqs, `${server.url}/000000000000/orders`)).toMatchObject({
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:orders',
      VisibilityTimeout: '45',
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    })
    // The same queue again: fine with its own settings, refused with others.
    expect(
      (await sqs.send(new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '45' } })))
        .QueueUrl,
    ).toBe(`${server.url}/000000000000/orders`)
    await expect(
      sqs.send(new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '5' } })),
    ).rejects.toBeInstanceOf(QueueNameExists)
    await expect(
      sqs.send(new CreateQueueCommand({ QueueName: 'other', Attributes: { VisibilityTimeout: '50000' } })),
    ).rejects.toBeInstanceOf(InvalidAttributeValue)
    await expect(
      sqs.send(new CreateQueueCommand({ QueueName: 'other', Attributes: { Policy: '{}' } })),
    ).rejects.toBeInstanceOf(InvalidAttributeName)
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'nowhere' }))).rejects.toBeInstanceOf(QueueDoesNotExist)
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: `${server.url}/000000000000/nowhere`, MessageBody: 'x' })),
    ).rejects.toBeInstanceOf(QueueDoesNotExist)
    await expect(sqs.send(new CreateQueueCommand({ QueueName: 'orders.fifo' }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: expect.stringContaining('FIFO queues are not supported'),
    })
  })

  it('hides a received message until its visibility timeout runs out, then returns it with a higher receive count', async () => {
    const { sqs, queueUrl } = await queueServer({ queues: { orders: { visibilityTimeoutSeconds: 1 } } })
    const url = queueUrl('orders')
    const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'hello' }))
    const first = await receive(sqs, url)
    expect(first.Messages?.map((m) => [m.MessageId, m.Body, m.Attributes?.['ApproximateReceiveCount']])).toEqual([
      [MessageId, 'hello', '1'],
    ])
    expect((await receive(sqs, url)).Messages ?? []).toEqual([])
    expect(await attributes(sqs, url)).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '1',
    })
    const metrics = await (await fetch(`${url.slice(0, url.indexOf('/000000000000'))}/metrics`)).text()
    expect(metrics).toContain('lambdalet_sqs_messages{queue="orders",state="visible"} 0')
    expect(metrics).toContain('lambdalet_sqs_messages{queue="orders",state="in_flight"} 1')
    const again = await receive(sqs, url, { WaitTimeSeconds: 10 })
    expect(again.Messages?.map((m) => [m.MessageId, m.Attributes?.['ApproximateReceiveCount']])).toEqual([
      [MessageId, '2'],
    ])
    const handle = again.Messages?.[0]?.ReceiptHandle
    expect(handle).not.toBe(first.Messages?.[0]?.ReceiptHandle)
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: handle }))
    expect(await attributes(sqs, url)).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    })
    expect((await receive(sqs, url, { WaitTimeSeconds: 2 })).Messages ?? []).toEqual([])
  })

  it('makes a message visible at once with ChangeMessageVisibility 0, and keeps it hidden when extended', async () => {
    const { sqs, queueUrl } = await queueServer({ queues: { orders: { visibilityTimeoutSeconds: 1 } } })
    const url = queueUrl('orders')
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'again' }))
    const [first] = (await receive(sqs, url, { VisibilityTimeout: 300 })).Messages ?? []
    await sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: first?.ReceiptHandle, VisibilityTimeout: 0 }),
    )
    const [second] = (await receive(sqs, url)).Messages ?? []
    expect(second?.Body).toBe('again')
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: second?.ReceiptHandle,
        VisibilityTimeout: 60,
      }),
    )
    // Past the queue's 1 s timeout, it stays hidden.
    expect((await receive(sqs, url, { WaitTimeSeconds: 3 })).Messages ?? []).toEqual([])
    await expect(
      sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'not-a-handle' })),
    ).rejects.toBeInstanceOf(ReceiptHandleIsInvalid)
    const { Successful, Failed } = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'good', ReceiptHandle: second?.ReceiptHandle },
          { Id: 'bad', ReceiptHandle: 'not-a-handle' },
        ],
      }),
    )
    expect(Successful).toEqual([{ Id: 'good' }])
    expect(Failed).toEqual([
      { Id: 'bad', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: expect.any(String) },
    ])
    expect(await attributes(sqs, url)).toMatchObject({ ApproximateNumberOfMessagesNotVisible: '0' })
  })

  it('waits for WaitTimeSeconds on an empty queue, and answers a long poll as soon as a message arrives', async () => {
    const { sqs, queueUrl, server } = await queueServer({ queues: { orders: {} } })
    const url = queueUrl('orders')
    let started = Date.now()
    expect((await receive(sqs, url, { WaitTimeSeconds: 1 })).Messages ?? []).toEqual([])
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)

    started = Date.now()
    const polled = receive(sqs, url, { WaitTimeSeconds: 20 })
    // The poll is in the server before the message is sent.
    await vi.waitFor(() => expect(server.lifecycle.pending).toBe(1), SOON)
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'worth the wait' }))
    const { Messages } = await polled
    expect(Messages?.map((m) => m.Body)).toEqual(['worth the wait'])
    expect(Date.now() - started).toBeLessThan(15_000)
  })

  it('empties a queue with PurgeQueue', async () => {
    const { sqs, queueUrl } = await queueServer({ queues: { orders: {} } })
    const url = queueUrl('orders')
    for (const body of ['a', 'b', 'c']) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }))
    await receive(sqs, url, { VisibilityTimeout: 300 })
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }))
    expect(await attributes(sqs, url)).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    })
  })

  it("answers bad input with SQS's errors and loses none of the messages already sent", async () => {
    const { sqs, queueUrl, server } = await queueServer({ queues: { orders: {} } })
    const url = queueUrl('orders')
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'first' }))
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'second' }))

    const post = (target: string, body: string) =>
      fetch(`${server.url}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
        body,
      })
    const unknown = await post('AmazonSQS.Frobnicate', '{}')
    expect(unknown.status).toBe(400)
    expect(unknown.headers.get('x-amzn-query-error')).toBe('InvalidAction;Sender')
    expect(await unknown.json()).toEqual({
      __type: 'com.amazon.coral.service#UnknownOperationException',
      message: 'The action Frobnicate is not valid for this endpoint.',
    })
    const malformed = await post('AmazonSQS.SendMessage', `{"QueueUrl":"${url}", "MessageBody":`)
    expect(malformed.status).toBe(400)
    expect(await malformed.json()).toMatchObject({ __type: 'com.amazon.coral.service#SerializationException' })

    const huge = await post(
      'AmazonSQS.SendMessage',
      JSON.stringify({ QueueUrl: url, MessageBody: 'y'.repeat(3 * 1024 * 1024) }),
    )
    expect(huge.status).toBe(413)
    expect(await huge.json()).toMatchObject({ __type: 'com.amazonaws.sqs#RequestTooLarge' })

    const tooLarge = 'x'.repeat(1024 * 1024 + 1)
    const refused = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: tooLarge })).catch((e) => e)
    expect(refused).toMatchObject({
      name: 'InvalidParameterValue',
      $metadata: { httpStatusCode: 400 },
      message: 'One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.',
    })
    const control = await sqs
      .send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'bell \u0007' }))
      .catch((e) => e)
    expect(control.name).toBe('InvalidMessageContents')
    // At exactly 1 MiB it is taken.
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: tooLarge.slice(1) }))

    expect(await attributes(sqs, url)).toMatchObject({ ApproximateNumberOfMessages: '3' })
    const bodies: string[] = []
    while (bodies.length < 3) {
      const { Messages = [] } = await receive(sqs, url, { WaitTimeSeconds: 5 })
      bodies.push(...Messages.map((m) => (m.Body as string).slice(0, 10)))
    }
    expect(bodies.sort()).toEqual(['first', 'second', 'x'.repeat(10)])
  })

  it('asks for the API key like every other route', async () => {
    const { server } = await queueServer({ queues: { orders: {} }, server: { apiKey: 'sqs-key' } })
    const sqs = sqsClient(server.url)
    await expect(sqs.send(new ListQueuesCommand({}))).rejects.toMatchObject({ $metadata: { httpStatusCode: 401 } })
    sqs.middlewareStack.add(
      (next) => (args) => {
        ;(args.request as { headers: Record<string, string> }).headers['authorization'] = 'Bearer sqs-key'
        return next(args)
      },
      { step: 'finalizeRequest', priority: 'low' },
    )
    expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls).toEqual([`${server.url}/000000000000/orders`])
    sqs.destroy()
  })

  it('runs the whole chain: an HTTP route whose handler sends with an SDK client configured as on AWS feeds the mapped consumer', async () => {
    const { batches, server } = await queueServer({
      queues: { orders: {} },
      mapping: { queue: 'orders' },
      functions: { producer: fixture('sqs/producer.mjs', { routes: ['POST /orders'] }) },
    })
    const response = await fetch(`${server.url}/orders`, { method: 'POST', body: '{"order":42}' })
    expect(response.status).toBe(202)
    const { messageId } = (await response.json()) as { messageId: string }
    await vi.waitFor(
      () =>
        expect(
          batches()
            .flat()
            .map((record) => [record.messageId, record.body]),
        ).toEqual([[messageId, '{"order":42}']]),
      SOON,
    )
  })

  it('puts the invocation record of a failed Event invocation on a queue:<name> destination', async () => {
    const { sqs, queueUrl, server } = await queueServer({
      queues: { 'orders-dlq': {} },
      functions: {
        fail: fixture('fail.mjs', { maximumRetryAttempts: 0, destinations: { onFailure: 'queue:orders-dlq' } }),
      },
    })
    const invoked = await fetch(`${server.url}/2015-03-31/functions/fail/invocations`, {
      method: 'POST',
      headers: { 'x-amz-invocation-type': 'Event' },
      body: '{"order":7}',
    })
    expect(invoked.status).toBe(202)
    const { Messages } = await receive(sqs, queueUrl('orders-dlq'), { WaitTimeSeconds: 20 })
    expect(Messages).toHaveLength(1)
    expect(JSON.parse(Messages?.[0]?.Body as string)).toMatchObject({
      version: '1.0',
      requestContext: {
        requestId: invoked.headers.get('x-amzn-requestid'),
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fail:$LATEST',
        condition: 'RetriesExhausted',
        approximateInvokeCount: 1,
      },
      requestPayload: { order: 7 },
      responseContext: { functionError: 'Unhandled' },
      responsePayload: { errorType: 'TypeError', errorMessage: 'boom' },
    })
  })

  it('takes a queue ARN as a destination through PutFunctionEventInvokeConfig, and shows it back', async () => {
    const { sqs, queueUrl, server } = await queueServer({
      queues: { failures: {} },
      functions: { fail: fixture('fail.mjs') },
    })
    const lambda = lambdaClient(server.url)
    const queueArn = 'arn:aws:sqs:us-east-1:000000000000:failures'
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'fail',
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnFailure: { Destination: queueArn } },
      }),
    )
    const shown = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'fail' }))
    expect(shown.DestinationConfig?.OnFailure?.Destination).toBe(queueArn)
    await expect(
      lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: 'fail',
          DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:000000000000:nowhere' } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' })

    await lambda.send(new InvokeCommand({ FunctionName: 'fail', InvocationType: 'Event', Payload: '{"n":1}' }))
    const { Messages } = await receive(sqs, queueUrl('failures'), { WaitTimeSeconds: 20 })
    expect(JSON.parse(Messages?.[0]?.Body as string)).toMatchObject({
      requestContext: { condition: 'RetriesExhausted' },
      requestPayload: { n: 1 },
    })
    lambda.destroy()
  })

  it('leaves requests without an AmazonSQS target to the HTTP routes, even a $default one', async () => {
    const { server, sqs } = await queueServer({
      queues: { orders: {} },
      functions: { http: fixture('http.mjs', { routes: ['$default'] }) },
    })
    const routed = await fetch(`${server.url}/`, { method: 'POST', body: '{"a":1}' })
    expect(routed.status).toBe(200)
    expect(routed.headers.get('x-route-key')).toBe('$default')
    expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls).toEqual([`${server.url}/000000000000/orders`])
  })

  it('keeps sent messages on the embedded store across a restart', async () => {
    const store = mkdtempSync(join(tmpdir(), 'lambdalet-sqs-store-'))
    onTestFinished(() => rmSync(store, { recursive: true, force: true }))
    const first = await queueServer({ queues: { orders: {} }, server: { store } })
    const { MessageId } = await first.sqs.send(
      new SendMessageCommand({ QueueUrl: first.queueUrl('orders'), MessageBody: 'kept' }),
    )
    await receive(first.sqs, first.queueUrl('orders'), { VisibilityTimeout: 300 })
    await first.server.close()

    const second = await queueServer({ queues: { orders: {} }, server: { store } })
    // In flight when the first stopped: a lease is not kept, so it is visible again at once.
    const { Messages } = await receive(second.sqs, second.queueUrl('orders'), { WaitTimeSeconds: 5 })
    expect(Messages?.map((m) => [m.MessageId, m.Body])).toEqual([[MessageId, 'kept']])
  })

  it('ends a long poll with no messages when the server shuts down, instead of holding the drain', async () => {
    const { sqs, queueUrl, server } = await queueServer({ queues: { orders: {} }, server: { drainTimeoutMs: 15_000 } })
    const polled = receive(sqs, queueUrl('orders'), { WaitTimeSeconds: 20 })
    await vi.waitFor(() => expect(server.lifecycle.pending).toBe(1), SOON)
    const started = Date.now()
    expect(await server.close()).toBe(true)
    expect((await polled).Messages ?? []).toEqual([])
    expect(Date.now() - started).toBeLessThan(10_000)
  })
})
