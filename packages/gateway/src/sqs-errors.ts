import type { QueueErrorCode } from '@lambdalet/protocol'
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** Errors the SQS API itself finds in a request, before any queue is asked. */
export type SqsRequestErrorCode =
  | QueueErrorCode
  | 'UnknownOperation'
  | 'SerializationException'
  | 'RequestTooLarge'
  | 'EmptyBatchRequest'
  | 'TooManyEntriesInBatchRequest'
  | 'BatchEntryIdsNotDistinct'
  | 'InvalidBatchEntryId'
  | 'InvalidAddress'

/**
 * How SQS's JSON protocol answers each error: the status, the `__type` the
 * AWS SDK picks its exception class by, and the query-compatible code it
 * reads from `x-amzn-query-error` into `Code` (what older SDKs and the CLI show).
 */
const ERRORS: Record<SqsRequestErrorCode, { status: number; type: string; query: string }> = {
  QueueDoesNotExist: {
    status: 400,
    type: 'com.amazonaws.sqs#QueueDoesNotExist',
    query: 'AWS.SimpleQueueService.NonExistentQueue;Sender',
  },
  QueueNameExists: { status: 400, type: 'com.amazonaws.sqs#QueueNameExists', query: 'QueueAlreadyExists;Sender' },
  ReceiptHandleIsInvalid: {
    status: 400,
    type: 'com.amazonaws.sqs#ReceiptHandleIsInvalid',
    query: 'ReceiptHandleIsInvalid;Sender',
  },
  MessageNotInflight: {
    status: 400,
    type: 'com.amazonaws.sqs#MessageNotInflight',
    query: 'AWS.SimpleQueueService.MessageNotInflight;Sender',
  },
  InvalidParameterValue: {
    status: 400,
    type: 'com.amazonaws.sqs#InvalidParameterValue',
    query: 'InvalidParameterValue;Sender',
  },
  InvalidAttributeName: {
    status: 400,
    type: 'com.amazonaws.sqs#InvalidAttributeName',
    query: 'InvalidAttributeName;Sender',
  },
  InvalidAttributeValue: {
    status: 400,
    type: 'com.amazonaws.sqs#InvalidAttributeValue',
    query: 'InvalidAttributeValue;Sender',
  },
  InvalidMessageContents: {
    status: 400,
    type: 'com.amazonaws.sqs#InvalidMessageContents',
    query: 'InvalidMessageContents;Sender',
  },
  MissingParameter: { status: 400, type: 'com.amazonaws.sqs#MissingParameter', query: 'MissingParameter;Sender' },
  UnsupportedOperation: {
    status: 400,
    type: 'com.amazonaws.sqs#UnsupportedOperation',
    query: 'AWS.SimpleQueueService.UnsupportedOperation;Sender',
  },
  OverLimit: { status: 403, type: 'com.amazonaws.sqs#OverLimit', query: 'OverLimit;Sender' },
  ServiceUnavailable: {
    status: 503,
    type: 'com.amazonaws.sqs#ServiceUnavailable',
    query: 'ServiceUnavailable;Receiver',
  },
  UnknownOperation: {
    status: 400,
    type: 'com.amazon.coral.service#UnknownOperationException',
    query: 'InvalidAction;Sender',
  },
  SerializationException: {
    status: 400,
    type: 'com.amazon.coral.service#SerializationException',
    query: 'MalformedQueryString;Sender',
  },
  RequestTooLarge: { status: 413, type: 'com.amazonaws.sqs#RequestTooLarge', query: 'RequestTooLarge;Sender' },
  EmptyBatchRequest: {
    status: 400,
    type: 'com.amazonaws.sqs#EmptyBatchRequest',
    query: 'AWS.SimpleQueueService.EmptyBatchRequest;Sender',
  },
  TooManyEntriesInBatchRequest: {
    status: 400,
    type: 'com.amazonaws.sqs#TooManyEntriesInBatchRequest',
    query: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest;Sender',
  },
  BatchEntryIdsNotDistinct: {
    status: 400,
    type: 'com.amazonaws.sqs#BatchEntryIdsNotDistinct',
    query: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct;Sender',
  },
  InvalidBatchEntryId: {
    status: 400,
    type: 'com.amazonaws.sqs#InvalidBatchEntryId',
    query: 'AWS.SimpleQueueService.InvalidBatchEntryId;Sender',
  },
  InvalidAddress: { status: 404, type: 'com.amazonaws.sqs#InvalidAddress', query: 'InvalidAddress;Sender' },
}

/** SQS's error as its JSON protocol sends it. */
export function sqsError(c: Context, code: SqsRequestErrorCode, message: string): Response {
  const error = ERRORS[code]
  return new Response(JSON.stringify({ __type: error.type, message }), {
    status: error.status as ContentfulStatusCode,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-query-error': error.query,
      'x-amzn-requestid': c.get('requestId') ?? crypto.randomUUID(),
    },
  })
}

/** A batch entry's failure, as `Failed` lists it. */
export function batchFailure(id: string, code: SqsRequestErrorCode, message: string) {
  const error = ERRORS[code]
  return { Id: id, SenderFault: error.status < 500, Code: error.query.split(';')[0] as string, Message: message }
}
