import { LambdaError, type StreamCompletion, type StreamingInvokeResult } from '@lambdalet/protocol'

/** What `host.invokeStream` resolves with once the response has begun. */
export interface InvokeStreamResult {
  requestId: string
  /** The handler's content type (`application/json` for an ordinary handler's result). */
  contentType: string
  /** Whether the handler streamed (`awslambda.streamifyResponse`) or returned one result. */
  streamed: boolean
  /**
   * The bytes as the handler writes them; errors with a `LambdaError` when
   * the invocation fails after the stream began. `Readable.fromWeb(body)`
   * gives a Node stream.
   */
  body: ReadableStream<Uint8Array>
  /** Resolves once the invocation has settled, with its error if it failed mid-stream. */
  completion: Promise<StreamCompletion>
}

/**
 * The caller's view of a streaming invocation: an ordinary handler's result
 * becomes a body of one chunk; a function error before any byte rejects, as
 * `invoke` does.
 */
export function invokeStreamResult(head: StreamingInvokeResult): InvokeStreamResult {
  if (head.streamed) {
    const { requestId, contentType, body, completion } = head
    return { requestId, contentType, streamed: true, body, completion }
  }
  const { result } = head
  if (result.functionError) {
    const error = new LambdaError(JSON.parse(result.payload), { requestId: result.requestId })
    if (result.logResult !== undefined) Object.assign(error, { logResult: result.logResult })
    throw error
  }
  const bytes = new TextEncoder().encode(result.payload)
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes)
      controller.close()
    },
  })
  const completion: StreamCompletion = result.logResult === undefined ? {} : { logResult: result.logResult }
  return {
    requestId: result.requestId,
    contentType: 'application/json',
    streamed: false,
    body,
    completion: Promise.resolve(completion),
  }
}
