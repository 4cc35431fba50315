import type { ErrorShape } from './errors.js'
import type { RawInvokeResult } from './invoker.js'

/**
 * How a response-streaming invocation began. `streamed: false`: the handler
 * is an ordinary one (or failed before writing anything), and `result` is
 * its whole outcome, as `invokeRaw` gives it. `streamed: true`: a
 * `streamifyResponse` handler started its stream; `body` carries its bytes
 * as they are written, and errors (after `completion` settles) if the
 * invocation failed after some bytes were sent.
 */
export type StreamingInvokeResult =
  | { streamed: false; result: RawInvokeResult }
  | {
      streamed: true
      requestId: string
      executedVersion: string
      /** Set by the handler with `setContentType`; `application/octet-stream` by default. */
      contentType: string
      body: ReadableStream<Uint8Array>
      /** Resolves once the invocation has settled, never rejects. */
      completion: Promise<StreamCompletion>
      /**
       * Hands back a chunk read from `body` whose bytes are no longer
       * needed by anyone (written to a socket and its write callback called,
       * or copied), so that its memory carries a later chunk. Optional to
       * call: a chunk never released is collected as usual. After the call
       * the chunk's buffer is detached, so only its last user may call it.
       */
      release?: (chunk: Uint8Array) => void
    }

/** How a streamed invocation ended. */
export interface StreamCompletion {
  /** Set when it failed after the stream began: a function error, a timeout, a crash, the size cap. */
  error?: ErrorShape
  /** With `logType: 'Tail'`: the last 4 KB of the invocation's log. */
  logResult?: string
}
