import { HTTP_INTEGRATION_CONTENT_TYPE, type StreamCompletion } from '@lambdalet/protocol'
import {
  FRAMING_HEADERS,
  isFinalStatus,
  isRecord,
  jsonResponse,
  NULL_BODY_STATUSES,
  TIMED_OUT,
} from './api-gateway-result.js'
import { type NodeOutgoing, streamToNode } from './node-streamed-body.js'

/** A route's view of a streaming handler's response (see `StreamingInvokeResult`). */
export interface StreamedHead {
  contentType: string
  body: ReadableStream<Uint8Array>
  completion: Promise<StreamCompletion>
  /** Hands a chunk's memory back once it was written (see `StreamingInvokeResult`). */
  release?: (chunk: Uint8Array) => void
}

/** The prelude must come whole within this many bytes, as API Gateway requires it within 16 KB. */
const MAX_PRELUDE_BYTES = 16 * 1024
const DELIMITER_LENGTH = 8
const BAD_GATEWAY = JSON.stringify({ message: 'Internal Server Error' })

/**
 * A Function URL's `RESPONSE_STREAM` answer: a stream that begins with
 * `HttpResponseStream.from`'s prelude (JSON, then 8 NUL bytes) gives the
 * response its status, headers and cookies, and the rest of its bytes are
 * the body, sent on as they arrive; any other stream is a 200 with the
 * handler's content type. A failure after the head went out can only cut
 * the body short, which aborts the connection. The head says `chunked`
 * outright, so the server sends it at once instead of waiting a moment for
 * a body it might give a length. For `headOnly` (a HEAD request) the
 * stream is cancelled once the head is known. Given Node's response
 * (`outgoing`), the body is written to it directly (see `streamToNode`).
 */
export async function streamedRouteResponse(
  head: StreamedHead,
  requestId: string,
  headOnly = false,
  outgoing?: NodeOutgoing,
): Promise<Response> {
  const release = head.release
  if (head.contentType !== HTTP_INTEGRATION_CONTENT_TYPE) {
    const headers = new Headers({ 'apigw-requestid': requestId })
    // The handler's setContentType: not necessarily a valid header value.
    const valid = trySet(headers, 'content-type', head.contentType)
    if (!valid || headOnly) {
      void head.body.cancel().catch(() => {})
      return valid ? new Response(null, { status: 200, headers }) : jsonResponse(502, BAD_GATEWAY, requestId)
    }
    headers.set('transfer-encoding', 'chunked')
    if (outgoing !== undefined && release !== undefined) {
      return streamToNode(outgoing, 200, headers, head.body.getReader(), release)
    }
    return new Response(head.body, { status: 200, headers })
  }
  const reader = head.body.getReader()
  let buffered: Uint8Array = new Uint8Array(0)
  let delimiter = -1
  try {
    while (delimiter === -1) {
      const { done, value } = await reader.read()
      if (done) break
      buffered = concat(buffered, value)
      delimiter = findDelimiter(buffered)
      if (delimiter === -1 && buffered.byteLength > MAX_PRELUDE_BYTES) break
    }
  } catch {
    // Failed before its head was whole: answered below from the completion.
  }
  if (delimiter === -1) {
    void reader.cancel().catch(() => {})
    const { error } = await head.completion
    return error?.errorType === 'Sandbox.Timedout'
      ? jsonResponse(504, TIMED_OUT, requestId)
      : jsonResponse(502, BAD_GATEWAY, requestId)
  }
  const prelude = parsePrelude(buffered.subarray(0, delimiter))
  if (prelude === null) {
    void reader.cancel().catch(() => {})
    return jsonResponse(502, BAD_GATEWAY, requestId)
  }
  prelude.headers.set('apigw-requestid', requestId)
  // A HEAD answer has no body, and one left unread would hold the handler
  // on its backpressure until the deadline: its writes fail instead.
  if (NULL_BODY_STATUSES.has(prelude.status) || headOnly) {
    void reader.cancel().catch(() => {})
    return new Response(null, { status: prelude.status, headers: prelude.headers })
  }
  prelude.headers.set('transfer-encoding', 'chunked')
  const rest = buffered.subarray(delimiter + DELIMITER_LENGTH)
  if (outgoing !== undefined && release !== undefined) {
    return streamToNode(outgoing, prelude.status, prelude.headers, reader, release, rest)
  }
  return new Response(remainder(rest, reader), { status: prelude.status, headers: prelude.headers })
}

function parsePrelude(bytes: Uint8Array): { status: number; headers: Headers } | null {
  let prelude: unknown
  try {
    prelude = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString())
  } catch {
    return null
  }
  if (!isRecord(prelude)) return null
  const status = prelude.statusCode ?? 200
  if (!isFinalStatus(status)) return null
  const headers = new Headers()
  if (isRecord(prelude.headers)) {
    for (const [name, value] of Object.entries(prelude.headers)) {
      if (!FRAMING_HEADERS.has(name.toLowerCase()) && !trySet(headers, name, String(value))) return null
    }
  }
  if (Array.isArray(prelude.cookies)) {
    for (const cookie of prelude.cookies) {
      if (!trySet(headers, 'set-cookie', String(cookie), true)) return null
    }
  }
  return { status, headers }
}

/** Sets (or appends) a header a function chose; false when it is not a valid one. */
function trySet(headers: Headers, name: string, value: string, append = false): boolean {
  try {
    if (append) headers.append(name, value)
    else headers.set(name, value)
    return true
  } catch {
    return false
  }
}

/** The body after the prelude, pulled from the handler's stream only as the client reads. */
function remainder(first: Uint8Array, reader: ReadableStreamDefaultReader<Uint8Array>): ReadableStream<Uint8Array> {
  let pending: Uint8Array | null = first.byteLength > 0 ? first : null
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (pending !== null) {
          controller.enqueue(pending)
          pending = null
          return
        }
        const { done, value } = await reader.read()
        if (done) controller.close()
        else controller.enqueue(value)
      },
      cancel(reason) {
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
}

/** Where the 8 NUL bytes after the prelude start, or -1. JSON text never holds a NUL byte. */
function findDelimiter(bytes: Uint8Array): number {
  let run = 0
  for (let i = 0; i < bytes.byteLength; i++) {
    if (bytes[i] === 0) {
      run++
      if (run === DELIMITER_LENGTH) return i - DELIMITER_LENGTH + 1
    } else {
      run = 0
    }
  }
  return -1
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.byteLength === 0) return b
  const joined = new Uint8Array(a.byteLength + b.byteLength)
  joined.set(a)
  joined.set(b, a.byteLength)
  return joined
}
