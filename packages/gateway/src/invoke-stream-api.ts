import {
  ErrorType,
  type InvokeOptions,
  type Invoker,
  isLambdaError,
  MAX_PAYLOAD_BYTES,
  type RawInvokeResult,
  type StreamCompletion,
  type StreamingInvokeResult,
  serviceErrorStatus,
} from '@lambdalet/protocol'
import type { Context, Handler } from 'hono'
import { apiError, serviceErrorResponse } from './api-error.js'
import { closeAfterResponse } from './close-after-response.js'
import { invokeComplete, payloadChunk } from './event-stream.js'
import type { GatewayEnv } from './gateway-env.js'
import { functionNotFound, readInvokeRequest } from './invoke-request.js'
import type { Lifecycle } from './lifecycle.js'
import { encodeLogResult } from './log-result.js'
import { payloadLimit } from './payload-limit.js'
import { payloadText } from './payload-text.js'
import { readBody } from './request-body.js'
import { streamInvoke } from './stream-invoke.js'

export const INVOKE_STREAM_PATH = '/2021-11-15/functions/:name/response-streaming-invocations'

export interface InvokeStreamApiDeps {
  invoker: Invoker
  /** Streams in flight hold its drain open. */
  lifecycle?: Lifecycle
  region: string
  accountId: string
  strictAccount?: boolean
}

const EVENT_STREAM = 'application/vnd.amazon.eventstream'
const INVOCATION_TYPES = ['RequestResponse', 'DryRun']

/**
 * `POST /2021-11-15/functions/{name}/response-streaming-invocations`, the
 * AWS SDK's `InvokeWithResponseStreamCommand`. Errors found before the
 * function runs (unknown function, throttle, bad request) are ordinary
 * REST-JSON errors. Once it runs the answer is 200 with an event stream:
 * a `PayloadChunk` per chunk the handler writes, as it writes it, then
 * `InvokeComplete` with `ErrorCode` / `ErrorDetails` if it failed and
 * `LogResult` for `LogType: Tail`. An ordinary handler's result is one chunk.
 */
export function createInvokeStreamHandler(deps: InvokeStreamApiDeps): Handler<GatewayEnv> {
  const { invoker, region, accountId } = deps
  const scope = { region, accountId, strictAccount: deps.strictAccount ?? false }
  const limit = payloadLimit(MAX_PAYLOAD_BYTES, (c) => {
    closeAfterResponse(c)
    return apiError(
      c,
      413,
      ErrorType.RequestTooLarge,
      `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeWithResponseStream operation`,
    )
  })

  async function invoke(c: Context, name: string, payload: string, options: InvokeOptions): Promise<Response> {
    let head: StreamingInvokeResult
    try {
      head = await streamInvoke(invoker, name, payload, options, deps.lifecycle)
    } catch (error) {
      if (!isLambdaError(error)) throw error
      const status = error.statusCode ?? serviceErrorStatus(error.errorType) ?? 500
      return serviceErrorResponse(c, error, status)
    }
    const requestId = head.streamed ? head.requestId : head.result.requestId
    const headers = {
      'content-type': EVENT_STREAM,
      // Said outright, so the server sends the head at once instead of
      // waiting a moment for a body it might give a length.
      'transfer-encoding': 'chunked',
      'x-amzn-requestid': requestId,
      'x-amz-executed-version': head.streamed ? head.executedVersion : head.result.executedVersion,
    }
    return new Response(
      head.streamed ? eventStream(head.body, head.completion, head.release) : wholeResult(head.result),
      {
        status: 200,
        headers,
      },
    )
  }

  return async function invokeWithResponseStream(c) {
    const read = readInvokeRequest(c, scope, INVOCATION_TYPES)
    if (!read.ok) return read.response
    const { name, qualifier, invocationType, logType, clientContext } = read.request
    const options: InvokeOptions = { requestId: c.get('requestId') }
    if (logType === 'Tail') options.logType = 'Tail'
    if (clientContext !== undefined) options.clientContext = clientContext
    if (invocationType === 'DryRun') {
      return invoker.hasFunction(name) ? c.body(null, 204) : functionNotFound(c, scope, name, qualifier)
    }

    let response: Response | undefined
    const rejected = await limit(c, async () => {
      const body = await readBody(c)
      // In flight from now on, for the shutdown's drain (see trackRequests).
      const refused = c.get('bodyReceived')()
      if (refused !== undefined) {
        response = refused
        return
      }
      const payload = payloadText(c, body)
      response = typeof payload === 'string' ? await invoke(c, name, payload, options) : payload
    })
    return rejected ?? (response as Response)
  }
}

/**
 * The event stream of a streaming handler, pulled as the client reads: a
 * frame is made only when the connection wants one, so the client's pace
 * is the handler's.
 */
function eventStream(
  body: ReadableStream<Uint8Array>,
  completion: Promise<StreamCompletion>,
  release: ((chunk: Uint8Array) => void) | undefined,
): ReadableStream {
  const reader = body.getReader()
  let ended = false
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (ended) return
        try {
          const { done, value } = await reader.read()
          if (!done) {
            controller.enqueue(payloadChunk(value))
            // The frame holds a copy: the chunk's memory can carry a later one.
            release?.(value)
            return
          }
        } catch {
          // A stream that fails mid-way: the error is the completion's.
        }
        ended = true
        controller.enqueue(completeEvent(await completion))
        controller.close()
      },
      cancel(reason) {
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
}

function wholeResult(result: RawInvokeResult): ReadableStream<Uint8Array> {
  const completion: StreamCompletion = {}
  if (result.logResult !== undefined) completion.logResult = result.logResult
  if (result.functionError) completion.error = JSON.parse(result.payload)
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (!result.functionError) controller.enqueue(payloadChunk(Buffer.from(result.payload)))
      controller.enqueue(completeEvent(completion))
      controller.close()
    },
  })
}

function completeEvent(completion: StreamCompletion): Uint8Array {
  const fields: { ErrorCode?: string; ErrorDetails?: string; LogResult?: string } = {}
  if (completion.error !== undefined) {
    fields.ErrorCode = completion.error.errorType
    fields.ErrorDetails = completion.error.errorMessage
  }
  if (completion.logResult !== undefined) fields.LogResult = encodeLogResult(completion.logResult)
  return invokeComplete(fields)
}
