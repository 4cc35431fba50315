import type { StreamHostMessage } from '@lambdalet/protocol'
import { ChunkBuffers } from './chunk-buffers.js'
import type { LambdaContext } from './context.js'
import type { Handler } from './load-handler.js'
import { type Post, ResponseStream } from './response-stream.js'

/**
 * The response streams of one environment: at most one open at a time, as
 * it runs one invocation at a time. Credits and cancels from the host find
 * their stream here; ones for a stream already over are dropped, but for
 * the buffers they hand back, which later streams reuse.
 */
export class ResponseStreams {
  #post: Post
  #current: ResponseStream | null = null
  readonly buffers = new ChunkBuffers()

  constructor(post: Post) {
    this.#post = post
  }

  open(requestId: string, highWaterMark: number): ResponseStream {
    this.#current?.destroy()
    this.#current = new ResponseStream(requestId, highWaterMark, this.#post, this.buffers)
    return this.#current
  }

  control(message: StreamHostMessage): void {
    if (message.type === 'stream-credit' && message.buffers !== undefined) this.buffers.give(message.buffers)
    const stream = this.#current
    if (stream === null || stream.requestId !== message.requestId) return
    if (message.type === 'stream-credit') stream.credit(message.bytes)
    // The reader is gone: writes fail from now on (no 'error' event, which
    // the handler may not listen for), and the handler's pipeline ends.
    else stream.destroy()
  }

  close(stream: ResponseStream): void {
    if (this.#current === stream) this.#current = null
  }
}

/**
 * Runs a streaming handler, `handler(event, responseStream, context)`. As on
 * Lambda, the invocation is over when the handler has settled *and* its
 * stream has ended, whichever comes last; a stream left open runs into the
 * deadline. Throws what should end the stream with an error.
 */
export async function invokeStreaming(
  handler: Handler,
  event: unknown,
  context: LambdaContext,
  stream: ResponseStream,
): Promise<void> {
  try {
    await handler(event, stream, context)
  } catch (error) {
    // Bytes still buffered behind the window go nowhere once the error is
    // reported; stop the stream so late writes fail.
    stream.destroy()
    throw error
  }
  if (!stream.writableFinished && !stream.destroyed) {
    await new Promise<void>((resolve) => {
      stream.once('finish', resolve)
      stream.once('close', resolve)
    })
  }
  if (stream.errored !== null) throw stream.errored
}
