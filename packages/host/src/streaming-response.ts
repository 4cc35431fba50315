import {
  type ErrorShape,
  LATEST_VERSION,
  LambdaError,
  type RawInvokeResult,
  type StreamCompletion,
  type StreamingInvokeResult,
  toErrorShape,
} from '@lambdalet/protocol'
import { type ResponseSink, type StreamControl, tooLarge } from './response-sink.js'

/**
 * What the host holds of one stream for its reader: enough for the next
 * chunk to be on its way while the reader takes this one.
 */
const HOST_BUFFER_BYTES = 64 * 1024

/** `waiting`: no byte yet. `streaming`: the body is open. `settled`: the invocation is over. */
type Phase = 'waiting' | 'streaming' | 'settled'

/**
 * One response-streaming invocation, as its caller sees it: the answer is
 * the stream's head, given as soon as the handler starts writing (or the
 * whole result, if it never streams), then the body's bytes as they come.
 *
 * The body is a web `ReadableStream` holding at most 64 KiB: a chunk counts
 * as taken, and is credited back to the runtime, once it fits in that
 * queue, i.e. once the reader has read what was ahead of it. So what a
 * stream holds in the host is bounded (this queue plus the runtime's
 * window), whatever the pace of the reader: a slow client slows the
 * handler down, not the host.
 */
export class StreamingResponse implements ResponseSink {
  readonly requestId: string
  #phase: Phase = 'waiting'
  #maxBytes: number
  #resolveHead: (head: StreamingInvokeResult) => void
  #rejectHead: (error: Error) => void
  #complete: ((completion: StreamCompletion) => void) | null = null
  #controller: ReadableStreamDefaultController<Uint8Array> | null = null
  #control: StreamControl | null = null
  #received = 0
  #enqueued = 0
  #credited = 0
  #cancelled = false

  constructor(
    requestId: string,
    maxBytes: number,
    resolve: (head: StreamingInvokeResult) => void,
    reject: (error: Error) => void,
  ) {
    this.requestId = requestId
    this.#maxBytes = maxBytes
    this.#resolveHead = resolve
    this.#rejectHead = reject
  }

  start(contentType: string, control: StreamControl): void {
    if (this.#phase !== 'waiting') return
    this.#phase = 'streaming'
    this.#control = control
    const body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller
        },
        pull: () => this.#creditTaken(),
        cancel: () => {
          this.#cancelled = true
          this.#control?.cancel()
        },
      },
      { highWaterMark: HOST_BUFFER_BYTES, size: (chunk) => chunk.byteLength },
    )
    const completion = new Promise<StreamCompletion>((resolve) => {
      this.#complete = resolve
    })
    this.#resolveHead({
      streamed: true,
      requestId: this.requestId,
      executedVersion: LATEST_VERSION,
      contentType,
      body,
      completion,
    })
  }

  chunk(bytes: Uint8Array): ErrorShape | null {
    this.#received += bytes.byteLength
    if (this.#received > this.#maxBytes) return tooLarge(this.#maxBytes)
    if (this.#phase !== 'streaming' || this.#cancelled) return null
    this.#controller?.enqueue(bytes)
    this.#enqueued += bytes.byteLength
    this.#creditTaken()
    return null
  }

  finish(): string {
    return ''
  }

  /** The invocation's answer (a success or a function error), once. */
  settled(result: RawInvokeResult): void {
    const phase = this.#phase
    this.#phase = 'settled'
    if (phase === 'waiting') {
      this.#resolveHead({ streamed: false, result })
      return
    }
    if (phase !== 'streaming') return
    const completion: StreamCompletion = {}
    if (result.logResult !== undefined) completion.logResult = result.logResult
    if (result.functionError) {
      const error = JSON.parse(result.payload) as ErrorShape
      completion.error = error
      this.#end(new LambdaError(error, { requestId: this.requestId }))
    } else {
      this.#end(null)
    }
    this.#complete?.(completion)
  }

  /** A service error (the host shut down, say), once. */
  failed(error: Error): void {
    const phase = this.#phase
    this.#phase = 'settled'
    if (phase === 'waiting') {
      this.#rejectHead(error)
      return
    }
    if (phase !== 'streaming') return
    this.#end(error)
    this.#complete?.({ error: toErrorShape(error) })
  }

  #end(error: Error | null): void {
    const controller = this.#controller
    if (controller === null || this.#cancelled) return
    if (error === null) controller.close()
    else controller.error(error)
  }

  /** Credits what the host took: enqueued bytes, but for those over the queue's bound. */
  #creditTaken(): void {
    // desiredSize is the bound minus the bytes queued: negative by the overflow.
    const overflow = -(this.#controller?.desiredSize ?? 0)
    const taken = this.#enqueued - Math.max(0, overflow)
    const owed = taken - this.#credited
    if (owed <= 0) return
    this.#credited = taken
    this.#control?.credit(owed)
  }
}
