import { type ErrorShape, ErrorType, MAX_PAYLOAD_BYTES } from '@lambdalet/protocol'

/** How the reader of a streamed response talks back to the runtime writing it. */
export interface StreamControl {
  /**
   * The reader took `bytes`: the runtime may send that much more. With it
   * go the `buffers` of chunks the reader is done with, for the runtime to
   * reuse (a runtime that cannot, in another process, leaves them).
   */
  credit(bytes: number, buffers?: ArrayBuffer[]): void
  /** The reader is gone: the handler's writes fail from now on. */
  cancel(): void
}

/**
 * Where the bytes of a `streamifyResponse` handler go while its invocation
 * runs: to a streaming caller, or into one buffered result.
 */
export interface ResponseSink {
  /** The handler's stream began, with its content type. */
  start(contentType: string, control: StreamControl): void
  /** Bytes it wrote. An error returned ends the invocation with it (the size cap). */
  chunk(bytes: Uint8Array): ErrorShape | null
  /** The stream ended cleanly: the result's payload (empty when the bytes went to a reader). */
  finish(): string
}

export function tooLarge(limit: number): ErrorShape {
  return {
    errorType: ErrorType.ResponseSizeTooLarge,
    errorMessage: `Response payload size exceeded maximum allowed payload size (${limit} bytes).`,
    trace: [],
  }
}

/**
 * A streaming handler called through the buffered Invoke API: as on Lambda,
 * its bytes are collected into one result, up to the 6 MB of any result.
 */
export class BufferedResponse implements ResponseSink {
  #chunks: Uint8Array[] = []
  #bytes = 0
  #control: StreamControl | null = null

  start(_contentType: string, control: StreamControl): void {
    this.#control = control
  }

  chunk(bytes: Uint8Array): ErrorShape | null {
    this.#bytes += bytes.byteLength
    if (this.#bytes > MAX_PAYLOAD_BYTES) return tooLarge(MAX_PAYLOAD_BYTES)
    this.#chunks.push(bytes)
    this.#control?.credit(bytes.byteLength)
    return null
  }

  finish(): string {
    return Buffer.concat(this.#chunks).toString()
  }
}
