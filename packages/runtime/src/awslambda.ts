import { HTTP_INTEGRATION_CONTENT_TYPE } from '@lambdalet/protocol'
import type { ResponseStream } from './response-stream.js'
import { InvalidStreamingOperation, MalformedStreamingHandler } from './runtime-errors.js'

/** The marks Lambda's Node.js runtime reads on a handler to stream its response. */
export const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming')
export const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark')
const RESPONSE = 'response'

/** The Writable's default, and Lambda's. */
export const DEFAULT_HIGH_WATER_MARK = 16 * 1024

type Tagged = Record<symbol, unknown>

/** `awslambda.streamifyResponse`: marks the handler as streaming; it is called as `(event, responseStream, context)`. */
function streamifyResponse<H extends object>(handler: H, options?: { highWaterMark?: number }): H {
  const tagged = handler as unknown as Tagged
  tagged[STREAMING] = RESPONSE
  const highWaterMark = options?.highWaterMark
  if (typeof highWaterMark === 'number') tagged[HIGH_WATER_MARK] = Math.trunc(highWaterMark)
  return handler
}

/**
 * `awslambda.HttpResponseStream.from(stream, prelude)`: the stream's first
 * bytes become the JSON prelude (`statusCode`, `headers`, `cookies`) and 8
 * NUL bytes, under the content type a Function URL reads as "an HTTP
 * response follows".
 */
const HttpResponseStream = {
  from(stream: ResponseStream, prelude: unknown): ResponseStream {
    stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE)
    const text = JSON.stringify(prelude)
    stream._onBeforeFirstWrite = (write) => {
      write(text)
      write(new Uint8Array(8))
    }
    return stream
  },
}

/**
 * Installs the `awslambda` global that Lambda's runtime gives every function.
 * A plain object, as on Lambda: libraries add to it (the AWS SDK keeps its
 * `InvokeStore` there), so it must not be frozen.
 */
export function installAwsLambdaGlobal(): void {
  Object.defineProperty(globalThis, 'awslambda', {
    value: { streamifyResponse, HttpResponseStream },
    writable: true,
    configurable: true,
    enumerable: false,
  })
}

/** The handler's stream settings if `streamifyResponse` marked it, else null. */
export function streamingMark(handler: object): { highWaterMark: number } | null {
  const mark = (handler as Tagged)[STREAMING]
  if (mark === undefined) return null
  if (mark !== RESPONSE) throw new MalformedStreamingHandler('Only response streaming is supported.')
  const highWaterMark = (handler as Tagged)[HIGH_WATER_MARK]
  if (highWaterMark === undefined) return { highWaterMark: DEFAULT_HIGH_WATER_MARK }
  if (typeof highWaterMark !== 'number' || !Number.isInteger(highWaterMark) || highWaterMark < 1) {
    throw new InvalidStreamingOperation(
      `Expected \`highWaterMark\` to be a positive integer, got \`${String(highWaterMark)}\``,
    )
  }
  return { highWaterMark }
}
