import { randomUUID } from 'node:crypto'
import {
  isQueueError,
  type MessageQueues,
  type OutgoingMessage,
  QueueError,
  type ReceivedMessage,
  type ReceiveOptions,
  type SentMessage,
} from '@lambdalet/protocol'
import { type EventStore, type Lease, LeaseLostError, type NewEvent } from './event-store.js'
import {
  DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
  type QueueSettings,
  queueNameProblem,
  settingsFromAttributes,
} from './queue-settings.js'
import { ReceiptHandles } from './receipt-handles.js'
import {
  checkMessage,
  decodeMessage,
  encodeMessage,
  md5Hex,
  md5OfAttributes,
  queueKey,
  type StoredMessage,
} from './sqs-message.js'

export interface QueueSetOptions {
  store: EventStore
  queues: Record<string, QueueSettings>
  region: string
  accountId: string
  /** What a queue may hold before SendMessage is refused with OverLimit. */
  maxMessagesPerQueue: number
  maxBytesPerQueue: number
  /** Queues in all, config and CreateQueue together. */
  maxQueues: number
}

interface Queue {
  settings: QueueSettings
  createdAt: number
}

/** A message handed out: its lease, and what the receiver sees. */
export interface Receipt {
  lease: Lease
  message: ReceivedMessage
}

const NEVER = new AbortController().signal
/** SQS's longest long poll. */
const MAX_WAIT_SECONDS = 20

/**
 * SQS's standard queues above the event store: a message is an event under
 * the queue's key (`sqs.<name>`), a receive is a claim whose lease is the
 * visibility timeout, a delete is an ack, and the store's receive count is
 * `ApproximateReceiveCount`. Past a queue's `maxReceiveCount` a message
 * moves to its dead-letter queue (same id, same sent time) in one commit.
 */
export class QueueSet implements MessageQueues {
  readonly #options: QueueSetOptions
  readonly #queues = new Map<string, Queue>()
  readonly #handles = new ReceiptHandles()
  readonly #closing = new AbortController()

  constructor(options: QueueSetOptions) {
    this.#options = options
    const now = Date.now()
    for (const [name, settings] of Object.entries(options.queues)) {
      this.#queues.set(name, { settings, createdAt: now })
    }
  }

  arn(name: string): string {
    return `arn:aws:sqs:${this.#options.region}:${this.#options.accountId}:${name}`
  }

  settings(name: string): QueueSettings {
    return this.#queue(name).settings
  }

  /** Per queue: messages that can be received now, and those in flight. */
  counts(): Record<string, { visible: number; inFlight: number }> {
    const counts: Record<string, { visible: number; inFlight: number }> = {}
    for (const name of this.queueNames()) {
      const usage = this.#options.store.usage(queueKey(name))
      counts[name] = { visible: Math.max(0, usage.events - usage.leased), inFlight: usage.leased }
    }
    return counts
  }

  async createQueue(name: string, attributes: Readonly<Record<string, string>>): Promise<void> {
    const problem = queueNameProblem(name)
    if (problem !== null) throw new QueueError('InvalidParameterValue', `Can't create a queue: ${problem}`)
    const parsed = settingsFromAttributes(attributes, (arn) => this.#queueOfArn(arn))
    if (!parsed.ok) throw new QueueError(parsed.code, parsed.message)
    const existing = this.#queues.get(name)
    if (existing !== undefined) {
      // SQS compares what is asked for with what the queue has, defaults included.
      const current = withDefaults(existing.settings)
      const differs = Object.entries(parsed.settings).some(
        ([key, value]) => current[key as keyof QueueSettings] !== value,
      )
      if (differs) {
        throw new QueueError(
          'QueueNameExists',
          `A queue already exists with the same name and a different value for attributes: ${name}`,
        )
      }
      return
    }
    if (this.#queues.size >= this.#options.maxQueues) {
      throw new QueueError('OverLimit', `This server holds ${this.#queues.size} queues, the most it may`)
    }
    this.#queues.set(name, { settings: parsed.settings, createdAt: Date.now() })
  }

  hasQueue(name: string): boolean {
    return this.#queues.has(name)
  }

  queueNames(): string[] {
    return [...this.#queues.keys()].sort()
  }

  queueAttributes(name: string): Record<string, string> {
    const { settings, createdAt } = this.#queue(name)
    const usage = this.#options.store.usage(queueKey(name))
    const attributes: Record<string, string> = {
      QueueArn: this.arn(name),
      ApproximateNumberOfMessages: String(Math.max(0, usage.events - usage.leased)),
      ApproximateNumberOfMessagesNotVisible: String(usage.leased),
      ApproximateNumberOfMessagesDelayed: '0',
      CreatedTimestamp: String(Math.floor(createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(createdAt / 1000)),
      VisibilityTimeout: String(settings.visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS),
      DelaySeconds: String(settings.delaySeconds ?? 0),
      ReceiveMessageWaitTimeSeconds: String(settings.receiveMessageWaitTimeSeconds ?? 0),
      MaximumMessageSize: '1048576',
      MessageRetentionPeriod: '345600',
    }
    if (settings.deadLetterQueue !== undefined) {
      attributes['RedrivePolicy'] = JSON.stringify({
        deadLetterTargetArn: this.arn(settings.deadLetterQueue),
        maxReceiveCount: settings.maxReceiveCount,
      })
    }
    return attributes
  }

  async sendMessages(name: string, messages: readonly OutgoingMessage[]): Promise<Array<SentMessage | QueueError>> {
    const { settings } = this.#queue(name)
    const usage = this.#options.store.usage(queueKey(name))
    const { maxMessagesPerQueue, maxBytesPerQueue } = this.#options
    const bytes = messages.reduce((sum, message) => sum + Buffer.byteLength(String(message.body)), 0)
    if (usage.events + messages.length > maxMessagesPerQueue || usage.bytes + bytes > maxBytesPerQueue) {
      throw new QueueError(
        'OverLimit',
        `The queue ${name} is full (it may hold ${maxMessagesPerQueue} messages and ${maxBytesPerQueue} bytes); retry later`,
      )
    }
    const now = Date.now()
    const events: NewEvent[] = []
    const results = messages.map((message): SentMessage | QueueError => {
      const checked = checkMessage(message)
      if (isQueueError(checked)) return checked
      const delay = message.delaySeconds ?? settings.delaySeconds ?? 0
      if (!Number.isInteger(delay) || delay < 0 || delay > 900) {
        return new QueueError(
          'InvalidParameterValue',
          'Value for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided.',
        )
      }
      const id = randomUUID()
      events.push({
        id,
        functionName: queueKey(name),
        payload: encodeMessage(checked),
        acceptedAt: now,
        runAt: now + delay * 1000,
      })
      return sent(id, checked)
    })
    if (events.length > 0) await this.#store(() => this.#options.store.enqueue(events))
    return results
  }

  /** A message for `name` from elsewhere in the service (an async destination), as JSON text of a stored message. */
  destinationEvent(name: string, id: string, body: string): NewEvent {
    this.#queue(name)
    return { id, functionName: queueKey(name), payload: encodeMessage({ body }), acceptedAt: Date.now() }
  }

  async receiveMessages(name: string, options: ReceiveOptions): Promise<ReceivedMessage[]> {
    const { settings } = this.#queue(name)
    const max = options.maxNumberOfMessages
    if (!Number.isInteger(max) || max < 1 || max > 10) {
      throw new QueueError(
        'InvalidParameterValue',
        `Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
      )
    }
    const wait = options.waitTimeSeconds ?? settings.receiveMessageWaitTimeSeconds ?? 0
    if (!Number.isInteger(wait) || wait < 0 || wait > MAX_WAIT_SECONDS) {
      throw new QueueError(
        'InvalidParameterValue',
        `Value ${wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`,
      )
    }
    const visibility =
      options.visibilityTimeoutSeconds ?? settings.visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS
    if (!Number.isInteger(visibility) || visibility < 0 || visibility > 43_200) {
      throw new QueueError(
        'InvalidParameterValue',
        `Value ${visibility} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.`,
      )
    }
    const signal = AbortSignal.any([this.#closing.signal, ...(options.signal === undefined ? [] : [options.signal])])
    const receipts = await this.receive(name, max, visibility * 1000, wait * 1000, signal)
    return receipts.map((receipt) => receipt.message)
  }

  /**
   * Up to `max` messages of `name`, each hidden for `visibilityMs`; waits up
   * to `waitMs` for the first. Messages past the queue's `maxReceiveCount`
   * move to its dead-letter queue instead of being returned.
   */
  async receive(
    name: string,
    max: number,
    visibilityMs: number,
    waitMs: number,
    signal?: AbortSignal,
  ): Promise<Receipt[]> {
    const { settings } = this.#queue(name)
    const { store } = this.#options
    const deadline = Date.now() + waitMs
    for (;;) {
      // A lease of 0 would run out before the caller sees it; SQS's 0 means "visible again at once".
      const leases = await this.#store(() =>
        store.claim(queueKey(name), max, {
          leaseMs: Math.max(1, visibilityMs),
          waitMs: Math.max(0, deadline - Date.now()),
          signal: signal ?? NEVER,
        }),
      )
      const receipts: Receipt[] = []
      for (const lease of leases) {
        const { maxReceiveCount, deadLetterQueue } = settings
        if (
          maxReceiveCount !== undefined &&
          deadLetterQueue !== undefined &&
          lease.event.receiveCount > maxReceiveCount
        ) {
          const { id, payload, acceptedAt } = lease.event
          await this.#store(() =>
            store.deadLetter(lease, 'maxReceiveCount', [
              { id, functionName: queueKey(deadLetterQueue), payload, acceptedAt },
            ]),
          )
          continue
        }
        receipts.push({ lease, message: this.#received(name, lease, visibilityMs) })
      }
      if (receipts.length > 0 || leases.length === 0 || Date.now() >= deadline || signal?.aborted === true)
        return receipts
    }
  }

  async deleteMessage(name: string, receiptHandle: string): Promise<void> {
    this.#queue(name)
    const lease = await this.#lease(name, receiptHandle)
    // A handle of ours that no longer holds the message (deleted, or its
    // visibility ran out): SQS answers success, and so do we.
    if (lease === null) return
    this.#handles.forget(receiptHandle)
    await this.#store(() => this.#options.store.ack(lease)).catch((error: unknown) => {
      if (!(isQueueError(error) && error.code === 'MessageNotInflight')) throw error
    })
  }

  async changeMessageVisibility(name: string, receiptHandle: string, seconds: number): Promise<void> {
    this.#queue(name)
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 43_200) {
      throw new QueueError(
        'InvalidParameterValue',
        `Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.`,
      )
    }
    const lease = await this.#lease(name, receiptHandle)
    if (lease === null) throw new QueueError('MessageNotInflight', 'The message referred to is not in flight.')
    const { store } = this.#options
    if (seconds === 0) {
      this.#handles.forget(receiptHandle)
      const { invokeCount, throttles } = lease.event
      await this.#store(() => store.retryLater(lease, Date.now(), { invokeCount, throttles }))
      return
    }
    await this.#store(() => store.renew(lease, seconds * 1000))
    this.#handles.extend(receiptHandle, seconds * 1000)
  }

  async purgeQueue(name: string): Promise<void> {
    this.#queue(name)
    this.#handles.forgetQueue(name)
    await this.#store(() => this.#options.store.purge(queueKey(name)))
  }

  /** Long polls in progress end with what they have, and later receives do not wait (a server shutting down). */
  endLongPolls(): void {
    this.#closing.abort()
  }

  close(): void {
    this.endLongPolls()
    this.#handles.clear()
  }

  #received(name: string, lease: Lease, visibilityMs: number): ReceivedMessage {
    const { event } = lease
    const stored = decodeMessage(event.payload)
    return {
      messageId: event.id,
      receiptHandle: this.#handles.issue(name, lease, visibilityMs),
      body: stored.body,
      md5OfBody: md5Hex(stored.body),
      ...(stored.messageAttributes === undefined
        ? {}
        : { md5OfMessageAttributes: md5OfAttributes(stored.messageAttributes) }),
      attributes: {
        SenderId: this.#options.accountId,
        SentTimestamp: String(event.acceptedAt),
        ApproximateReceiveCount: String(event.receiveCount),
        ApproximateFirstReceiveTimestamp: String(event.firstReceivedAt),
      },
      messageAttributes: stored.messageAttributes ?? {},
    }
  }

  /** The lease a handle stands for, taken up from the store when another instance received it. */
  async #lease(name: string, handle: string): Promise<Lease | null> {
    const found = this.#handles.find(name, handle)
    if (found.kind === 'held') return found.lease
    const { store } = this.#options
    if (found.kind === 'stale' || store.resume === undefined) return null
    return this.#store(() =>
      (store.resume as NonNullable<EventStore['resume']>)(queueKey(name), found.eventId, found.token),
    )
  }

  #queue(name: string): Queue {
    const queue = this.#queues.get(name)
    if (queue === undefined) throw new QueueError('QueueDoesNotExist', 'The specified queue does not exist.')
    return queue
  }

  #queueOfArn(arn: string): string | null {
    const prefix = `arn:aws:sqs:${this.#options.region}:${this.#options.accountId}:`
    if (!arn.startsWith(prefix)) return null
    const name = arn.slice(prefix.length)
    return this.#queues.has(name) ? name : null
  }

  /** A store failure is the service's, not the caller's: SQS's 5xx. */
  async #store<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation()
    } catch (error) {
      if (isQueueError(error)) throw error
      if (error instanceof LeaseLostError) {
        throw new QueueError('MessageNotInflight', 'The message referred to is not in flight.')
      }
      throw new QueueError('ServiceUnavailable', `The queue's store failed: ${(error as Error).message}`)
    }
  }
}

function withDefaults(settings: QueueSettings): QueueSettings {
  return {
    visibilityTimeoutSeconds: DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
    delaySeconds: 0,
    receiveMessageWaitTimeSeconds: 0,
    ...settings,
  }
}

function sent(id: string, message: StoredMessage): SentMessage {
  return {
    messageId: id,
    md5OfMessageBody: md5Hex(message.body),
    ...(message.messageAttributes === undefined
      ? {}
      : { md5OfMessageAttributes: md5OfAttributes(message.messageAttributes) }),
  }
}
