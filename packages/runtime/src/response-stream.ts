import { Writable } from 'node:stream'
import { DEFAULT_STREAM_CONTENT_TYPE, type RuntimeMessage } from '@lambdalet/protocol'
import type { ChunkBuffers } from './chunk-buffers.js'
import { InvalidStreamingOperation } from './runtime-errors.js'

export type Post = (message: RuntimeMessage, transfer?: ArrayBuffer[]) => void

/**
 * The `responseStream` a streaming handler writes to: a Node `Writable`
 * whose chunks cross the port as they are written. It keeps at most
 * `highWaterMark` bytes the host has not taken yet; past that a write's
 * callback waits for the host's credit, so `write()` returns `false` and
 * `'drain'` comes only once the host has taken the bytes, as on Lambda,
 * where the stream is a socket with that high-water mark. Credit the host
 * grants ahead (its window, at the stream's start) lets writes run that far
 * past `highWaterMark` before they wait, as a socket's kernel buffer does
 * on Lambda: `write()` still returns `false`, and `'drain'` comes on the
 * next tick while the window has room.
 */
export class ResponseStream extends Writable {
  readonly requestId: string
  #post: Post
  #buffers: ChunkBuffers
  #contentType: string = DEFAULT_STREAM_CONTENT_TYPE
  #started = false
  #window: number
  #unacknowledged = 0
  #parked: (() => void) | null = null
  #touched = false
  /** Set by `HttpResponseStream.from`: writes the prelude before the handler's first bytes. */
  _onBeforeFirstWrite: ((write: (chunk: string | Uint8Array) => void) => void) | null = null

  constructor(requestId: string, highWaterMark: number, post: Post, buffers: ChunkBuffers) {
    super({ highWaterMark })
    this.requestId = requestId
    this.#window = highWaterMark
    this.#post = post
    this.#buffers = buffers
    // A failed stream is reported as the invocation's error; an 'error'
    // event nobody listens to would otherwise crash the whole environment.
    this.on('error', () => {})
  }

  setContentType(contentType: string): void {
    if (this.#touched) throw new InvalidStreamingOperation('Cannot set content-type, too late.')
    this.#contentType = String(contentType)
  }

  override write(chunk: unknown, ...rest: unknown[]): boolean {
    this.#touch()
    return (super.write as (...args: unknown[]) => boolean).call(this, binary(chunk), ...rest)
  }

  override end(...args: unknown[]): this {
    this.#touch()
    if (args.length > 0 && typeof args[0] !== 'function' && args[0] !== undefined && args[0] !== null) {
      args[0] = binary(args[0])
    }
    return (super.end as (...args: unknown[]) => this).call(this, ...args)
  }

  /** The host took `bytes`: writes waiting on the window may go on. */
  credit(bytes: number): void {
    this.#unacknowledged -= bytes
    const parked = this.#parked
    if (parked !== null && this.#unacknowledged <= this.#window) {
      this.#parked = null
      parked()
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#send([chunk], callback)
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this.#send(
      chunks.map((entry) => entry.chunk),
      callback,
    )
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#start()
    callback()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#parked = null
    callback(error)
  }

  #touch(): void {
    if (this.#touched) return
    this.#touched = true
    const hook = this._onBeforeFirstWrite
    if (hook !== null) hook((chunk) => super.write(chunk))
  }

  #start(): void {
    if (this.#started) return
    this.#started = true
    this.#post({ type: 'stream-start', requestId: this.requestId, contentType: this.#contentType })
  }

  #send(buffers: Buffer[], callback: () => void): void {
    this.#start()
    let size = 0
    for (const buffer of buffers) size += buffer.byteLength
    if (size > 0) {
      // A copy of our own to transfer: the handler's buffers may be slices
      // of Node's shared pool, or be written again.
      const chunk = this.#buffers.take(size)
      let offset = 0
      for (const buffer of buffers) {
        chunk.set(buffer, offset)
        offset += buffer.byteLength
      }
      this.#post({ type: 'stream-chunk', requestId: this.requestId, chunk }, [chunk.buffer])
      this.#unacknowledged += size
    }
    if (this.#unacknowledged <= this.#window) callback()
    else this.#parked = callback
  }
}

/** What Lambda's runtime does with a chunk that is not bytes or text: it sends its JSON. */
function binary(chunk: unknown): unknown {
  if (typeof chunk === 'string' || chunk instanceof Uint8Array) return chunk
  return JSON.stringify(chunk)
}
