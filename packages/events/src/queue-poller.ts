import { type Invoker, MAX_PAYLOAD_BYTES, type RawInvokeResult } from '@lambdalet/protocol'
import { batchOutcome } from './batch-response.js'
import type { EventLogger } from './event-logger.js'
import { MAPPING_RANGES, type QueueMapping } from './mapping-settings.js'
import type { QueueSet, Receipt } from './queue-set.js'
import { DEFAULT_VISIBILITY_TIMEOUT_SECONDS } from './queue-settings.js'
import { RoomSignal } from './room-signal.js'
import { recordAttributes, type SqsRecord } from './sqs-message.js'
import { delay, settledWithin } from './waits.js'

export interface PollerDeps {
  mapping: QueueMapping
  queues: QueueSet
  invoker: Invoker
  region: string
  logger: EventLogger
  /** Batches run at once when the invoker cannot say how much room the function has. */
  fallbackConcurrency: number
}

/** Lambda cuts a batch where its event would pass 6 MB, the synchronous payload limit. */
const MAX_EVENT_BYTES = MAX_PAYLOAD_BYTES - '{"Records":[]}'.length
/** How long one receive long-polls; an abort ends it sooner. */
const RECEIVE_WAIT_MS = 5_000
const ROOM_POLL_MS = 25
const STORE_ERROR_BACKOFF_MS = 1_000

/**
 * One event source mapping's poller: it receives a batch only when the
 * function has room and the mapping is under its `maximumConcurrency`,
 * invokes the function synchronously with SQS's event, and deletes what
 * succeeded. What failed is left alone: its visibility timeout brings it
 * back, and the queue's redrive policy moves it on after `maxReceiveCount`.
 */
export class QueuePoller {
  readonly #deps: PollerDeps
  readonly #abort = new AbortController()
  readonly #running = new Set<Promise<void>>()
  readonly #loop: Promise<void>
  readonly #roomChanged = new RoomSignal(ROOM_POLL_MS)

  constructor(deps: PollerDeps) {
    this.#deps = deps
    this.#loop = this.#run()
  }

  /** Stops receiving; resolves once the batches in flight are over, or `false` after `timeoutMs`. */
  async stop(timeoutMs: number): Promise<boolean> {
    this.#abort.abort()
    this.#roomChanged.notify()
    await this.#loop
    if (this.#running.size === 0) return true
    return settledWithin(this.#running, timeoutMs)
  }

  async #run(): Promise<void> {
    const { signal } = this.#abort
    while (!signal.aborted) {
      if (this.#room() <= 0) {
        await this.#roomChanged.wait()
        continue
      }
      let batch: Receipt[]
      try {
        batch = await this.#collect(signal)
      } catch (error) {
        if (signal.aborted) break
        this.#log('error', 'Receiving from the queue failed', error)
        await delay(STORE_ERROR_BACKOFF_MS, signal)
        continue
      }
      if (batch.length > 0) this.#start(batch)
    }
  }

  #room(): number {
    const { invoker, mapping, fallbackConcurrency } = this.#deps
    const functionRoom =
      invoker.room === undefined ? fallbackConcurrency - this.#running.size : invoker.room(mapping.functionName)
    const mappingRoom = (mapping.maximumConcurrency ?? Number.POSITIVE_INFINITY) - this.#running.size
    return Math.min(functionRoom, mappingRoom)
  }

  /** Up to `batchSize` messages (and 6 MB), gathered for at most the batching window once the first arrived. */
  async #collect(signal: AbortSignal): Promise<Receipt[]> {
    const { mapping, queues } = this.#deps
    const batchSize = mapping.batchSize ?? MAPPING_RANGES.batchSize.default
    const windowMs = (mapping.maximumBatchingWindowInSeconds ?? 0) * 1000
    const visibilityMs =
      (queues.settings(mapping.queue).visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS) * 1000
    const batch = await queues.receive(mapping.queue, batchSize, visibilityMs, RECEIVE_WAIT_MS, signal)
    if (batch.length === 0) return batch
    const deadline = Date.now() + windowMs
    while (batch.length < batchSize && Date.now() < deadline && !signal.aborted) {
      const more = await queues.receive(
        mapping.queue,
        batchSize - batch.length,
        visibilityMs,
        deadline - Date.now(),
        signal,
      )
      batch.push(...more)
    }
    return this.#capBytes(batch)
  }

  /** Past 6 MB of event the rest goes back, visible at once, for the next batch. */
  #capBytes(batch: Receipt[]): Receipt[] {
    let bytes = 0
    const kept: Receipt[] = []
    for (const receipt of batch) {
      // Each record as it will be sent, and the comma before it.
      bytes += Buffer.byteLength(JSON.stringify(this.#record(receipt))) + 1
      if (kept.length > 0 && bytes > MAX_EVENT_BYTES) {
        this.#deps.queues
          .changeMessageVisibility(this.#deps.mapping.queue, receipt.message.receiptHandle, 0)
          .catch((error: unknown) => this.#log('warn', 'Could not put a message back', error))
      } else {
        kept.push(receipt)
      }
    }
    return kept
  }

  #start(batch: Receipt[]): void {
    const run = this.#invoke(batch).finally(() => {
      this.#running.delete(run)
      this.#roomChanged.notify()
    })
    this.#running.add(run)
  }

  async #invoke(batch: Receipt[]): Promise<void> {
    const { invoker, mapping, queues } = this.#deps
    const event = { Records: batch.map((receipt) => this.#record(receipt)) }
    let result: RawInvokeResult
    try {
      result = await invoker.invokeRaw(mapping.functionName, JSON.stringify(event))
    } catch (error) {
      // A throttle or a service error: the batch comes back after its visibility timeout.
      this.#log('warn', `Could not invoke the function with ${batch.length} message(s) of ${mapping.queue}`, error)
      return
    }
    if (result.functionError) {
      this.#log(
        'warn',
        `The function failed a batch of ${batch.length} message(s) of ${mapping.queue}; they return after the visibility timeout`,
        result.errorType,
      )
      return
    }
    let done = batch
    if (mapping.functionResponseTypes?.includes('ReportBatchItemFailures') === true) {
      const outcome = batchOutcome(result.payload, new Set(batch.map((receipt) => receipt.message.messageId)))
      if (outcome.kind === 'all-failed') {
        this.#log(
          'warn',
          `The function's batchItemFailures could not be read; the whole batch of ${mapping.queue} returns`,
        )
        return
      }
      if (outcome.kind === 'some-failed') done = batch.filter((receipt) => !outcome.ids.has(receipt.message.messageId))
    }
    await Promise.all(
      done.map((receipt) =>
        queues
          .deleteMessage(mapping.queue, receipt.message.receiptHandle)
          .catch((error: unknown) => this.#log('error', 'Could not delete a processed message', error)),
      ),
    )
  }

  #record({ message }: Receipt): SqsRecord {
    const { queues, mapping, region } = this.#deps
    const record: SqsRecord = {
      messageId: message.messageId,
      receiptHandle: message.receiptHandle,
      body: message.body,
      attributes: message.attributes,
      messageAttributes: recordAttributes(message.messageAttributes),
      md5OfBody: message.md5OfBody,
      eventSource: 'aws:sqs',
      eventSourceARN: queues.arn(mapping.queue),
      awsRegion: region,
    }
    if (message.md5OfMessageAttributes !== undefined) record.md5OfMessageAttributes = message.md5OfMessageAttributes
    return record
  }

  #log(level: 'warn' | 'error', message: string, error?: unknown): void {
    this.#deps.logger({
      level,
      message,
      functionName: this.#deps.mapping.functionName,
      ...(error === undefined
        ? {}
        : typeof error === 'string'
          ? { errorType: error }
          : {
              errorType: error instanceof Error ? error.name : typeof error,
              errorMessage: error instanceof Error ? error.message : String(error),
            }),
    })
  }
}
