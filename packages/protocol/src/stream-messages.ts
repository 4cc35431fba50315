/**
 * The runtime protocol's response streaming, for handlers wrapped in
 * `awslambda.streamifyResponse`. The runtime posts `stream-start` once (at
 * the first write, or at the end of a stream nothing was written to), then
 * one `stream-chunk` per write as it happens, then `stream-end` (or an
 * `error`, which ends the stream with it). Flow control is by credit: the
 * runtime keeps at most its `highWaterMark` of bytes the host has not yet
 * given back with `stream-credit`, so a slow reader slows the handler and
 * never fills the host's memory. Credit may come ahead of the bytes: the
 * host grants a window at `stream-start`, so the runtime writes on while
 * earlier chunks are still on their way, and gives credit back in batches.
 */

// ── runtime → host ───────────────────────────────────────────────────────────

/** The handler's response stream has begun; what follows are its bytes. */
export interface StreamStartMessage {
  type: 'stream-start'
  requestId: string
  /** Set with `setContentType` before the first write; `application/octet-stream` by default. */
  contentType: string
}

/** Bytes the handler wrote, as it wrote them (the buffer is transferred, not copied). */
export interface StreamChunkMessage {
  type: 'stream-chunk'
  requestId: string
  chunk: Uint8Array
}

/** The handler finished and its stream ended cleanly; also means "next". */
export interface StreamEndMessage {
  type: 'stream-end'
  requestId: string
  heapUsedBytes: number
  /** The function's own time, from the event to the end of its stream (REPORT's Duration). */
  durationMs: number
}

// ── host → runtime ───────────────────────────────────────────────────────────

/** The host's reader took `bytes` more of the invocation's stream, or the host grants them ahead. */
export interface StreamCreditMessage {
  type: 'stream-credit'
  requestId: string
  bytes: number
  /**
   * Buffers of earlier chunks the host is done with (their bytes went out),
   * transferred back for the runtime to copy later chunks into: a long
   * stream then reuses a few buffers instead of allocating, transferring
   * and collecting one per write.
   */
  buffers?: ArrayBuffer[]
}

/** The reader went away (a client disconnected): the handler's writes fail from now on. */
export interface StreamCancelMessage {
  type: 'stream-cancel'
  requestId: string
}

export type StreamRuntimeMessage = StreamStartMessage | StreamChunkMessage | StreamEndMessage
export type StreamHostMessage = StreamCreditMessage | StreamCancelMessage

/** Lambda's content type of a stream that starts with an HTTP prelude (`HttpResponseStream.from`). */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response'

/** A streamed response's content type when the handler sets none. */
export const DEFAULT_STREAM_CONTENT_TYPE = 'application/octet-stream'

/** Lambda's cap on a streamed response: 200 MB. */
export const MAX_STREAM_BYTES = 200 * 1024 * 1024
