/** A message attribute as SQS's JSON protocol carries it (`BinaryValue` as base64). */
export interface MessageAttributeValue {
  DataType: string
  StringValue?: string
  BinaryValue?: string
}

export interface OutgoingMessage {
  body: string
  /** 0 to 900; default the queue's `DelaySeconds`. */
  delaySeconds?: number
  messageAttributes?: Record<string, MessageAttributeValue>
}

export interface SentMessage {
  messageId: string
  md5OfMessageBody: string
  md5OfMessageAttributes?: string
}

export interface ReceivedMessage {
  messageId: string
  receiptHandle: string
  body: string
  md5OfBody: string
  md5OfMessageAttributes?: string
  /** SQS's system attributes, all strings: `ApproximateReceiveCount`, `SentTimestamp`, … */
  attributes: Record<string, string>
  messageAttributes: Record<string, MessageAttributeValue>
}

export interface ReceiveOptions {
  /** 1 to 10. */
  maxNumberOfMessages: number
  /** Default the queue's `VisibilityTimeout`. */
  visibilityTimeoutSeconds?: number
  /** 0 to 20; default the queue's `ReceiveMessageWaitTimeSeconds`. */
  waitTimeSeconds?: number
  /** Ends a long poll early with what it has (the client went away, the server is closing). */
  signal?: AbortSignal
}

/**
 * SQS's error names; the gateway answers each with SQS's `__type`, status
 * and `x-amzn-query-error`, so the AWS SDK throws its own class.
 */
export type QueueErrorCode =
  | 'QueueDoesNotExist'
  | 'QueueNameExists'
  | 'ReceiptHandleIsInvalid'
  | 'MessageNotInflight'
  | 'InvalidParameterValue'
  | 'InvalidAttributeName'
  | 'InvalidAttributeValue'
  | 'InvalidMessageContents'
  | 'MissingParameter'
  | 'UnsupportedOperation'
  | 'OverLimit'
  | 'ServiceUnavailable'

/** A refusal by the queues, in SQS's terms. */
export class QueueError extends Error {
  override readonly name = 'QueueError'
  constructor(
    readonly code: QueueErrorCode,
    message: string,
  ) {
    super(message)
  }
}

export function isQueueError(error: unknown): error is QueueError {
  return error instanceof Error && error.name === 'QueueError' && typeof (error as QueueError).code === 'string'
}

/**
 * What the gateway's SQS API needs from the queues: `@lambdalet/events`
 * implements it. Queues are named, not addressed: the gateway turns URLs
 * into names and back. Every method rejects with a `QueueError`.
 */
export interface MessageQueues {
  /** Creates a queue with SQS attributes (`VisibilityTimeout`, `RedrivePolicy`, …); an identical one already there is fine. */
  createQueue(name: string, attributes: Readonly<Record<string, string>>): Promise<void>
  hasQueue(name: string): boolean
  queueNames(): string[]
  /** SQS's attribute strings: the queue's settings and `ApproximateNumberOfMessages`, `…NotVisible`, `QueueArn`. */
  queueAttributes(name: string): Record<string, string>
  /**
   * Resolves once every valid message is stored (durably, on a durable
   * store), with, in order, what was sent or why that one was refused.
   */
  sendMessages(name: string, messages: readonly OutgoingMessage[]): Promise<Array<SentMessage | QueueError>>
  receiveMessages(name: string, options: ReceiveOptions): Promise<ReceivedMessage[]>
  deleteMessage(name: string, receiptHandle: string): Promise<void>
  changeMessageVisibility(name: string, receiptHandle: string, visibilityTimeoutSeconds: number): Promise<void>
  purgeQueue(name: string): Promise<void>
}
