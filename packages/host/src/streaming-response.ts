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

/**
 * Credit the host grants the runtime at the start of a stream, before any
 * byte is taken: the runtime may have this much more in flight than its
 * `highWaterMark`. Without it every 64 KiB write waited for a whole
 * cross-thread round trip (post the chunk, the host takes it, the credit
 * comes back) and the threads took turns: 0.25x a bare `node:http` stream.
 * With it the runtime writes on while the host is still taking earlier
 * chunks (1 MiB: 0.39x; 2 MiB, once chunk buffers are reused: 0.41-0.64x).
 * It is also what a stream can hold in the host beyond its queue, so it
 * stays small next to the stream (the bench keeps RSS growth under 0.1x of
 * 128 MB).
 */
export const STREAM_WINDOW_BYTES = 2 * 1024 * 1024

/**
 * Credit is given back once this much is owed, not per chunk: a credit is
 * a message and a wake-up of the runtime's thread, and per 64 KiB chunk it
 * was 7-10% of the host thread's time. At most the window, so that a
 * runtime waiting for credit always gets it once the reader has taken what
 * it sent.
 */
export const CREDIT_BATCH_BYTES = STREAM_WINDOW_BYTES / 4

/** `waiting`: no byte yet. `streaming`: the body is open. `settled`: the invocation is over. */
type Phase = 'waiting' | 'streaming' | 'settled'

/**
 * One response-streaming invocation, as its caller sees it: the answer is
 * the stream's head, given as soon as the handler starts writing (or the
 * whole result, if it never streams), then the body's bytes as they come.
 *
 * The body is a web `ReadableStream` holding at most 64 KiB: a chunk counts
 * as taken, and is credited back to the runtime, once it fits in that
 * queue, i.e. once the reader has read what was ahead of it. At the start
 * the runtime is granted `STREAM_WINDOW_BYTES` in advance, and credit goes
 * back in batches. So what a stream holds in the host is bounded (this
 * queue, the window and the runtime's `highWaterMark`), whatever the pace
 * of the reader: a slow client slows the handler down, not the host.
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
  /** The buffers of chunks from the runtime, not handed back yet: only these may be released. */
  #lent = new WeakSet<ArrayBuffer>()
  /** Released, to go back with the next credit. */
  #released: ArrayBuffer[] = []

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
    // The window goes once whoever awaited the head has had its turn (an
    // HTTP route writes the response head then). Granted at once, it let
    // the runtime's thread post 2 MiB of chunks while this one was still to
    // send the head: time to first byte went from about 2.2 to 2.9 ms.
    setImmediate(() => control.credit(STREAM_WINDOW_BYTES))
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
      release: (chunk) => this.#release(chunk),
    })
  }

  chunk(bytes: Uint8Array): ErrorShape | null {
    this.#received += bytes.byteLength
    if (this.#received > this.#maxBytes) return tooLarge(this.#maxBytes)
    if (this.#phase !== 'streaming' || this.#cancelled) return null
    this.#controller?.enqueue(bytes)
    this.#lent.add(bytes.buffer as ArrayBuffer)
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

  #release(chunk: Uint8Array): void {
    const buffer = chunk.buffer as ArrayBuffer
    // Once each, and only a buffer of ours: a transferred buffer is detached.
    if (this.#phase !== 'streaming' || !this.#lent.delete(buffer)) return
    this.#released.push(buffer)
  }

  /** Credits what the host took (enqueued bytes, but for those over the queue's bound), once a batch is owed. */
  #creditTaken(): void {
    // desiredSize is the bound minus the bytes queued: negative by the overflow.
    const overflow = -(this.#controller?.desiredSize ?? 0)
    const taken = this.#enqueued - Math.max(0, overflow)
    const owed = taken - this.#credited
    if (owed < CREDIT_BATCH_BYTES) return
    this.#credited = taken
    const released = this.#released
    this.#released = []
    this.#control?.credit(owed, released)
  }
}
