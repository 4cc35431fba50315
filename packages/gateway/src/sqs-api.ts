import { isQueueError, MAX_MESSAGE_BYTES, type MessageQueues, type ReceivedMessage } from '@lambdalet/protocol'
import type { Context, MiddlewareHandler } from 'hono'
import type { GatewayEnv } from './gateway-env.js'
import { payloadLimit } from './payload-limit.js'
import { batchFailure, sqsError } from './sqs-errors.js'
import {
  type Body,
  batchEntries,
  definedOnly,
  optionalInteger,
  optionalString,
  outgoing,
  requiredString,
  SqsRequestError,
  stringList,
  stringMap,
} from './sqs-request.js'

export interface SqsApiDeps {
  queues: MessageQueues
  accountId: string
  region: string
}

type Action = (c: Context<GatewayEnv>, body: Body) => Promise<Response> | Response

/**
 * Room for a 1 MiB message with its attributes and JSON escaping, and no
 * more: past it the request is refused before it is read.
 */
const MAX_REQUEST_BYTES = 2 * MAX_MESSAGE_BYTES + 64 * 1024
const TARGET_PREFIX = 'AmazonSQS.'
/**
 * SQS's JSON protocol (`POST /`, `X-Amz-Target: AmazonSQS.<Action>`,
 * `application/x-amz-json-1.0`) for the AWS SDK's SQSClient and the AWS
 * CLI. Requests without an `AmazonSQS.` target pass through to the routes.
 */
export function createSqsApi(deps: SqsApiDeps): MiddlewareHandler<GatewayEnv> {
  const { queues, accountId } = deps
  const limit = payloadLimit(MAX_REQUEST_BYTES, (c) =>
    sqsError(c, 'RequestTooLarge', `Request must be smaller than ${MAX_REQUEST_BYTES} bytes`),
  )

  const queueUrl = (c: Context, name: string): string => `${new URL(c.req.url).origin}/${accountId}/${name}`
  /** The queue a `QueueUrl` names: its path is `/<account>/<name>`, whatever the host. */
  const queueOf = (body: Body): string => {
    const url = body['QueueUrl']
    if (typeof url !== 'string' || url === '')
      throw new SqsRequestError('MissingParameter', 'The request must contain the parameter QueueUrl.')
    let path: string
    try {
      path = new URL(url).pathname
    } catch {
      path = url
    }
    const [account, name, ...rest] = path.replace(/^\//, '').split('/')
    if (account !== accountId || name === undefined || rest.length > 0 || !queues.hasQueue(name)) {
      throw new SqsRequestError('QueueDoesNotExist', 'The specified queue does not exist.')
    }
    return name
  }

  const actions: Record<string, Action> = {
    async CreateQueue(c, body) {
      const name = requiredString(body, 'QueueName')
      await queues.createQueue(name, stringMap(body['Attributes'], 'Attributes'))
      return ok(c, { QueueUrl: queueUrl(c, name) })
    },
    GetQueueUrl(c, body) {
      const name = requiredString(body, 'QueueName')
      if (!queues.hasQueue(name)) throw new SqsRequestError('QueueDoesNotExist', 'The specified queue does not exist.')
      return ok(c, { QueueUrl: queueUrl(c, name) })
    },
    ListQueues(c, body) {
      const prefix = optionalString(body, 'QueueNamePrefix') ?? ''
      const names = queues.queueNames().filter((name) => name.startsWith(prefix))
      return ok(c, { QueueUrls: names.slice(0, 1000).map((name) => queueUrl(c, name)) })
    },
    GetQueueAttributes(c, body) {
      const name = queueOf(body)
      const wanted =
        body['AttributeNames'] === undefined ? ['All'] : stringList(body['AttributeNames'], 'AttributeNames')
      const all = queues.queueAttributes(name)
      const attributes: Record<string, string> = {}
      for (const key of wanted) {
        if (key === 'All') Object.assign(attributes, all)
        else if (all[key] !== undefined) attributes[key] = all[key] as string
        else if (!KNOWN_QUEUE_ATTRIBUTES.has(key))
          throw new SqsRequestError('InvalidAttributeName', `Unknown Attribute ${key}.`)
      }
      return ok(c, { Attributes: attributes })
    },
    async SendMessage(c, body) {
      const name = queueOf(body)
      const [result] = await queues.sendMessages(name, [outgoing(body)])
      if (result === undefined || isQueueError(result)) throw result
      return ok(c, {
        MessageId: result.messageId,
        MD5OfMessageBody: result.md5OfMessageBody,
        ...(result.md5OfMessageAttributes === undefined
          ? {}
          : { MD5OfMessageAttributes: result.md5OfMessageAttributes }),
      })
    },
    async SendMessageBatch(c, body) {
      const name = queueOf(body)
      const entries = batchEntries(body)
      const results = await queues.sendMessages(name, entries.map(outgoing))
      const Successful: unknown[] = []
      const Failed: unknown[] = []
      results.forEach((result, index) => {
        const Id = entries[index]?.['Id'] as string
        if (isQueueError(result)) Failed.push(batchFailure(Id, result.code, result.message))
        else
          Successful.push({
            Id,
            MessageId: result.messageId,
            MD5OfMessageBody: result.md5OfMessageBody,
            ...(result.md5OfMessageAttributes === undefined
              ? {}
              : { MD5OfMessageAttributes: result.md5OfMessageAttributes }),
          })
      })
      return ok(c, { Successful, Failed })
    },
    async ReceiveMessage(c, body) {
      const name = queueOf(body)
      const messages = await queues.receiveMessages(name, {
        maxNumberOfMessages: optionalInteger(body, 'MaxNumberOfMessages') ?? 1,
        ...definedOnly('visibilityTimeoutSeconds', optionalInteger(body, 'VisibilityTimeout')),
        ...definedOnly('waitTimeSeconds', optionalInteger(body, 'WaitTimeSeconds')),
        signal: c.req.raw.signal,
      })
      const systemNames = [
        ...(body['AttributeNames'] === undefined ? [] : stringList(body['AttributeNames'], 'AttributeNames')),
        ...(body['MessageSystemAttributeNames'] === undefined
          ? []
          : stringList(body['MessageSystemAttributeNames'], 'MessageSystemAttributeNames')),
      ]
      const attributeNames =
        body['MessageAttributeNames'] === undefined
          ? []
          : stringList(body['MessageAttributeNames'], 'MessageAttributeNames')
      return ok(c, { Messages: messages.map((message) => shown(message, systemNames, attributeNames)) })
    },
    async DeleteMessage(c, body) {
      const name = queueOf(body)
      await queues.deleteMessage(name, requiredString(body, 'ReceiptHandle'))
      return ok(c, {})
    },
    async DeleteMessageBatch(c, body) {
      const name = queueOf(body)
      const entries = batchEntries(body)
      return ok(
        c,
        await settleBatch(entries, (entry) => queues.deleteMessage(name, requiredString(entry, 'ReceiptHandle'))),
      )
    },
    async ChangeMessageVisibility(c, body) {
      const name = queueOf(body)
      const seconds = optionalInteger(body, 'VisibilityTimeout')
      if (seconds === undefined)
        throw new SqsRequestError('MissingParameter', 'The request must contain the parameter VisibilityTimeout.')
      await queues.changeMessageVisibility(name, requiredString(body, 'ReceiptHandle'), seconds)
      return ok(c, {})
    },
    async PurgeQueue(c, body) {
      await queues.purgeQueue(queueOf(body))
      return ok(c, {})
    },
  }

  async function answer(c: Context<GatewayEnv>, actionName: string): Promise<Response> {
    const action = Object.hasOwn(actions, actionName) ? actions[actionName] : undefined
    if (action === undefined) {
      return sqsError(c, 'UnknownOperation', `The action ${actionName.slice(0, 64)} is not valid for this endpoint.`)
    }
    let body: unknown
    try {
      body = JSON.parse(await c.req.text())
    } catch {
      return sqsError(c, 'SerializationException', 'The request body is not valid JSON.')
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return sqsError(c, 'SerializationException', 'The request body must be a JSON object.')
    }
    try {
      return await action(c, body as Body)
    } catch (error) {
      if (error instanceof SqsRequestError || isQueueError(error)) return sqsError(c, error.code, error.message)
      throw error
    }
  }

  return async function sqsApi(c, next) {
    const target = c.req.header('x-amz-target')
    if (c.req.method !== 'POST' || c.req.path !== '/' || target?.startsWith(TARGET_PREFIX) !== true) return next()
    let response: Response | undefined
    const refused = await limit(c, async () => {
      response = await answer(c, target.slice(TARGET_PREFIX.length))
    })
    return refused instanceof Response ? refused : response
  }
}

/** What `GetQueueAttributes` may name without an error, even when this queue has no value for it. */
const KNOWN_QUEUE_ATTRIBUTES = new Set([
  'All',
  'Policy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'RedriveAllowPolicy',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
])

function ok(c: Context, body: object): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': c.get('requestId') ?? crypto.randomUUID(),
    },
  })
}

async function settleBatch(entries: Body[], settle: (entry: Body) => Promise<void>) {
  const Successful: Array<{ Id: string }> = []
  const Failed: unknown[] = []
  for (const entry of entries) {
    const Id = entry['Id'] as string
    try {
      await settle(entry)
      Successful.push({ Id })
    } catch (error) {
      if (error instanceof SqsRequestError || isQueueError(error))
        Failed.push(batchFailure(Id, error.code, error.message))
      else throw error
    }
  }
  return { Successful, Failed }
}

/** A received message with the attributes the caller asked for, as SQS shows it. */
function shown(message: ReceivedMessage, systemNames: string[], attributeNames: string[]): object {
  const all = systemNames.includes('All')
  const attributes = Object.fromEntries(
    Object.entries(message.attributes).filter(([key]) => all || systemNames.includes(key)),
  )
  const everyAttribute = attributeNames.includes('All') || attributeNames.includes('.*')
  const messageAttributes = Object.fromEntries(
    Object.entries(message.messageAttributes).filter(
      ([key]) =>
        everyAttribute || attributeNames.some((n) => n === key || (n.endsWith('.*') && key.startsWith(n.slice(0, -1)))),
    ),
  )
  return {
    MessageId: message.messageId,
    ReceiptHandle: message.receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
    ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
    ...(Object.keys(messageAttributes).length > 0
      ? { MessageAttributes: messageAttributes, MD5OfMessageAttributes: message.md5OfMessageAttributes }
      : {}),
  }
}
