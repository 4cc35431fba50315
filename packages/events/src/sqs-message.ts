import { createHash } from 'node:crypto'
import { MAX_MESSAGE_BYTES, type MessageAttributeValue, type OutgoingMessage, QueueError } from '@lambdalet/protocol'

/** What the store keeps of a message, as the event's JSON payload. */
export interface StoredMessage {
  body: string
  messageAttributes?: Record<string, MessageAttributeValue>
}

/** The store key of a queue's messages: `.` never appears in a function name, so it cannot clash with one. */
export function queueKey(queueName: string): string {
  return `sqs.${queueName}`
}

export function encodeMessage(message: StoredMessage): string {
  return JSON.stringify(message)
}

export function decodeMessage(payload: string): StoredMessage {
  const parsed = JSON.parse(payload) as StoredMessage
  return typeof parsed?.body === 'string' ? parsed : { body: String(payload) }
}

export function md5Hex(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex')
}

/**
 * SQS's MD5 of message attributes: for each attribute in name order, its
 * name, data type and value, each with a 4-byte big-endian length, and a
 * transport byte (1 string, 2 binary) before the value.
 */
export function md5OfAttributes(attributes: Record<string, MessageAttributeValue>): string {
  const parts: Buffer[] = []
  const lengthPrefixed = (bytes: Buffer): void => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(bytes.length)
    parts.push(length, bytes)
  }
  for (const name of Object.keys(attributes).sort()) {
    const value = attributes[name] as MessageAttributeValue
    lengthPrefixed(Buffer.from(name, 'utf8'))
    lengthPrefixed(Buffer.from(value.DataType, 'utf8'))
    if (value.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]))
      lengthPrefixed(Buffer.from(value.BinaryValue, 'base64'))
    } else {
      parts.push(Buffer.from([1]))
      lengthPrefixed(Buffer.from(value.StringValue ?? '', 'utf8'))
    }
  }
  return md5Hex(Buffer.concat(parts))
}

const ATTRIBUTE_NAME = /^(?!\.)(?!.*\.\.)(?!.*\.$)[A-Za-z0-9_.-]{1,256}$/
const DATA_TYPE = /^(String|Number|Binary)(\.[^\s]{1,250})?$/
/** The characters SQS accepts in a body: XML's, less the control characters. */
const BODY_CHARS = /^[\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u

/** Checks a message as SQS would before storing it; returns what to store or the error SQS gives. */
export function checkMessage(message: OutgoingMessage): StoredMessage | QueueError {
  const { body } = message
  if (typeof body !== 'string' || body.length === 0) {
    return new QueueError('MissingParameter', 'The request must contain the parameter MessageBody.')
  }
  if (!BODY_CHARS.test(body)) {
    return new QueueError(
      'InvalidMessageContents',
      'Invalid characters found. Valid values: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    )
  }
  let bytes = Buffer.byteLength(body)
  const attributes = message.messageAttributes
  if (attributes !== undefined) {
    const names = Object.keys(attributes)
    if (names.length > 10) {
      return new QueueError(
        'InvalidParameterValue',
        `Number of message attributes [${names.length}] exceeds the allowed maximum [10].`,
      )
    }
    for (const name of names) {
      const value = attributes[name] as MessageAttributeValue
      if (!ATTRIBUTE_NAME.test(name) || /^(aws|amazon)\./i.test(name)) {
        return new QueueError('InvalidParameterValue', `Message attribute name '${name}' is invalid.`)
      }
      if (typeof value?.DataType !== 'string' || !DATA_TYPE.test(value.DataType)) {
        return new QueueError('InvalidParameterValue', `The type of message (user) attribute '${name}' is invalid.`)
      }
      const binary = value.DataType.startsWith('Binary')
      const payload = binary ? value.BinaryValue : value.StringValue
      if (typeof payload !== 'string' || (binary ? value.StringValue : value.BinaryValue) !== undefined) {
        return new QueueError(
          'InvalidParameterValue',
          `Message (user) attribute '${name}' must contain a non-empty ${binary ? 'binary' : 'string'} value of type '${value.DataType}'.`,
        )
      }
      if (value.DataType.startsWith('Number') && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(payload)) {
        return new QueueError(
          'InvalidParameterValue',
          `Can't cast the value of message (user) attribute '${name}' to a number.`,
        )
      }
      bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType)
      bytes += binary ? Buffer.from(payload, 'base64').length : Buffer.byteLength(payload)
    }
  }
  if (bytes > MAX_MESSAGE_BYTES) {
    return new QueueError(
      'InvalidParameterValue',
      `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`,
    )
  }
  return attributes !== undefined && Object.keys(attributes).length > 0
    ? { body, messageAttributes: attributes }
    : { body }
}

/** A record of the event an SQS event source mapping sends, as Lambda builds it. */
export interface SqsRecord {
  messageId: string
  receiptHandle: string
  body: string
  attributes: Record<string, string>
  messageAttributes: Record<
    string,
    {
      stringValue?: string
      binaryValue?: string
      stringListValues: string[]
      binaryListValues: string[]
      dataType: string
    }
  >
  md5OfBody: string
  md5OfMessageAttributes?: string
  eventSource: 'aws:sqs'
  eventSourceARN: string
  awsRegion: string
}

/** Lambda's lower-camel form of message attributes in an event record. */
export function recordAttributes(attributes: Record<string, MessageAttributeValue>): SqsRecord['messageAttributes'] {
  const out: SqsRecord['messageAttributes'] = {}
  for (const [name, value] of Object.entries(attributes)) {
    out[name] = {
      ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
      ...(value.BinaryValue === undefined ? {} : { binaryValue: value.BinaryValue }),
      stringListValues: [],
      binaryListValues: [],
      dataType: value.DataType,
    }
  }
  return out
}
