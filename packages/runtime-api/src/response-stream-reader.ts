import type { IncomingMessage } from 'node:http'
import type { ErrorShape } from '@lambdalet/protocol'
import { errorReport } from './error-report.js'

export const ERROR_TYPE_TRAILER = 'lambda-runtime-function-error-type'
export const ERROR_BODY_TRAILER = 'lambda-runtime-function-error-body'

/** Bytes forwarded and not yet credited back before the body stops being read. */
export const STREAM_WINDOW_BYTES = 16 * 1024

export interface StreamSink {
  chunk(chunk: Uint8Array): void
  /** The body ended: cleanly (`null`), or with the error its trailers name. */
  end(error: ErrorShape | null): void
}

/**
 * Reads a streaming `/response` body (chunked) as it arrives, handing each
 * chunk on. Flow control is by credit: once `windowBytes` were handed on
 * and not credited back, it stops reading, so TCP pushes back on the
 * runtime's writes; `credit()` resumes it. Credit given ahead of the bytes
 * counts too (the host grants a window at the start of a stream and then
 * credits in batches, which would stall a reader that dropped it).
 */
export class ResponseStreamReader {
  #incoming: IncomingMessage
  #outstanding = 0
  #window: number

  constructor(incoming: IncomingMessage, sink: StreamSink, windowBytes = STREAM_WINDOW_BYTES) {
    this.#incoming = incoming
    this.#window = windowBytes
    incoming.on('data', (chunk: Buffer) => {
      this.#outstanding += chunk.byteLength
      if (this.#outstanding >= this.#window) incoming.pause()
      sink.chunk(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
    })
    incoming.once('end', () => sink.end(trailerError(incoming.trailers)))
  }

  credit(bytes: number): void {
    this.#outstanding -= bytes
    if (this.#outstanding < this.#window && this.#incoming.isPaused()) this.#incoming.resume()
  }

  cancel(): void {
    this.#incoming.destroy()
  }
}

/** The error a stream's trailers report, or `null` when they report none. */
function trailerError(trailers: NodeJS.Dict<string>): ErrorShape | null {
  const type = trailers[ERROR_TYPE_TRAILER]
  const body = trailers[ERROR_BODY_TRAILER]
  if ((type === undefined || type === '') && (body === undefined || body === '')) return null
  const text = body === undefined ? '' : Buffer.from(body, 'base64').toString()
  return errorReport(text, type)
}
