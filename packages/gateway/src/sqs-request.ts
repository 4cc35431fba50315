import type { MessageAttributeValue, OutgoingMessage } from '@lambdalet/protocol'
import type { SqsRequestErrorCode } from './sqs-errors.js'

/** A JSON request body of SQS's protocol. */
export type Body = Record<string, unknown>

const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/

/** A request ends early with an SQS error; thrown inside an action, answered by the API. */
export class SqsRequestError extends Error {
  constructor(
    readonly code: SqsRequestErrorCode,
    message: string,
  ) {
    super(message)
  }
}

export function outgoing(body: Body): OutgoingMessage {
  if (body['MessageBody'] !== undefined && typeof body['MessageBody'] !== 'string') {
    throw new SqsRequestError('InvalidParameterValue', 'MessageBody must be a string.')
  }
  const message: OutgoingMessage = { body: (body['MessageBody'] as string | undefined) ?? '' }
  const delay = optionalInteger(body, 'DelaySeconds')
  if (delay !== undefined) message.delaySeconds = delay
  const attributes = body['MessageAttributes']
  if (attributes !== undefined) {
    if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
      throw new SqsRequestError('InvalidParameterValue', 'MessageAttributes must be a map.')
    }
    message.messageAttributes = attributes as Record<string, MessageAttributeValue>
  }
  if (body['MessageGroupId'] !== undefined || body['MessageDeduplicationId'] !== undefined) {
    throw new SqsRequestError(
      'InvalidParameterValue',
      'MessageGroupId and MessageDeduplicationId are for FIFO queues, which lambdalet does not support.',
    )
  }
  return message
}

export function batchEntries(body: Body): Body[] {
  const entries = body['Entries']
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new SqsRequestError(
      'EmptyBatchRequest',
      'There should be at least one SendMessageBatchRequestEntry in the request.',
    )
  }
  if (entries.length > 10) {
    throw new SqsRequestError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are 10. You have sent ${entries.length}.`,
    )
  }
  const ids = new Set<string>()
  for (const entry of entries) {
    const id = (entry as Body | null)?.['Id']
    if (typeof id !== 'string' || !BATCH_ENTRY_ID.test(id)) {
      throw new SqsRequestError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      )
    }
    if (ids.has(id)) throw new SqsRequestError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`)
    ids.add(id)
  }
  return entries as Body[]
}

export function requiredString(body: Body, key: string): string {
  const value = body[key]
  if (value === undefined || value === '')
    throw new SqsRequestError('MissingParameter', `The request must contain the parameter ${key}.`)
  if (typeof value !== 'string') throw new SqsRequestError('InvalidParameterValue', `${key} must be a string.`)
  return value
}

export function optionalString(body: Body, key: string): string | undefined {
  return body[key] === undefined ? undefined : requiredString(body, key)
}

export function optionalInteger(body: Body, key: string): number | undefined {
  const value = body[key]
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new SqsRequestError(
      'InvalidParameterValue',
      `Value ${JSON.stringify(value)} for parameter ${key} is invalid. Reason: must be an integer.`,
    )
  }
  return value
}

export function stringList(value: unknown, key: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new SqsRequestError('InvalidParameterValue', `${key} must be a list of strings.`)
  }
  return value
}

export function stringMap(value: unknown, key: string): Record<string, string> {
  if (value === undefined) return {}
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    !Object.values(value).every((v) => typeof v === 'string')
  ) {
    throw new SqsRequestError('InvalidParameterValue', `${key} must be a map of strings.`)
  }
  return value as Record<string, string>
}

export function definedOnly<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }
}
