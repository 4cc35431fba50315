import type { IncomingMessage } from 'node:http'
import {
  DEFAULT_STREAM_CONTENT_TYPE,
  type ErrorShape,
  ErrorType,
  type InvokeMessage,
  MAX_PAYLOAD_BYTES,
} from '@lambdalet/protocol'
import { type Context, Hono } from 'hono'
import { RuntimeApiError, runtimeApiError } from './api-error.js'
import { ERROR_TYPE_HEADER, errorReport } from './error-report.js'
import { readBounded } from './read-body.js'
import { ResponseStreamReader } from './response-stream-reader.js'
import { eventResponse } from './runtime-event.js'

/** What the runtime did, told to whoever runs the environment (the host's process transport). */
export interface RuntimeApiEvents {
  /** It asked for an event; the first time, its init is done. */
  next(): void
  /** It answered `requestId` with `body` (opaque bytes, as UTF-8 text). */
  response(requestId: string, body: string): void
  /** `requestId` failed: a function error, or a response over the payload limit. */
  error(requestId: string, error: ErrorShape): void
  /** Its init failed; it is expected to exit. */
  initError(error: ErrorShape): void
  /** It began a streaming `/response` (`Lambda-Runtime-Function-Response-Mode: streaming`). */
  streamStart(requestId: string, contentType: string): void
  /** Bytes of that stream, as they arrived; credit them back with `RuntimeApi.credit`. */
  streamChunk(requestId: string, chunk: Uint8Array): void
  /** The stream's body ended cleanly; an error in its trailers is reported with `error` instead. */
  streamEnd(requestId: string): void
}

export interface RuntimeApiOptions {
  events: RuntimeApiEvents
  /** Sent with every event (`Lambda-Runtime-Invoked-Function-Arn`). */
  invokedFunctionArn: string
  /** A `/response` body over this gets 413 and the invocation `Function.ResponseSizeTooLarge`; default 6 MB. */
  maxPayloadBytes?: number
}

export interface RuntimeApi {
  /** The Hono app serving `/2018-06-01/runtime/…` for one environment. */
  readonly app: Hono
  /**
   * Hands the runtime one event: the answer to its waiting `/next`, or to
   * the next one it makes. One at a time: the host hands over another only
   * after this one was answered.
   */
  deliver(event: InvokeMessage): void
  /** The event handed over and not yet taken by a `/next`, if any. */
  readonly undelivered: string | null
  /** The event a `/next` took and the runtime has not answered yet, if any. */
  readonly current: string | null
  /** A `/next` is waiting for an event. */
  readonly waiting: boolean
  /** The host took `bytes` more of `requestId`'s stream: reading its body may go on. */
  credit(requestId: string, bytes: number): void
  /** The reader of `requestId`'s stream went away: its body is cut. */
  cancel(requestId: string): void
}

/**
 * `initializing`: no `/next` yet, `/init/error` allowed. `ready`: it asked,
 * or answered and may ask again. `invoking`: it holds `requestId`.
 * `failed`: it posted an init error.
 */
type State = { kind: 'initializing' } | { kind: 'ready' } | { kind: 'invoking'; requestId: string } | { kind: 'failed' }

interface Poll {
  resolve(response: Response): void
  signal: AbortSignal
}

const BASE = '/2018-06-01/runtime'
const RESPONSE_MODE_HEADER = 'Lambda-Runtime-Function-Response-Mode'

/**
 * The Runtime API of one execution environment, as the Lambda service
 * serves it to a sandbox: a long-polled `/next`, `/response` and `/error`
 * for the event it holds, and `/init/error`. Wrong or stale request ids and
 * calls out of order are refused (400 `InvalidRequestID`, 403
 * `InvalidStateTransition`) and change nothing.
 */
export function createRuntimeApi(options: RuntimeApiOptions): RuntimeApi {
  return new Endpoint(options)
}

class Endpoint implements RuntimeApi {
  readonly app = new Hono()
  #events: RuntimeApiEvents
  #arn: string
  #maxSize: number
  #state: State = { kind: 'initializing' }
  #pending: InvokeMessage | null = null
  #poll: Poll | null = null
  /** The last request id answered, so that a second answer reads as out of order, not unknown. */
  #answered: string | null = null
  /** The streaming `/response` being read, if any. */
  #stream: { requestId: string; reader: ResponseStreamReader } | null = null

  constructor(options: RuntimeApiOptions) {
    this.#events = options.events
    this.#arn = options.invokedFunctionArn
    this.#maxSize = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES
    const app = this.app
    app.get(`${BASE}/invocation/next`, (c) => this.#next(c))
    app.post(`${BASE}/invocation/:id/response`, (c) => this.#response(c))
    app.post(`${BASE}/invocation/:id/error`, (c) => this.#error(c))
    app.post(`${BASE}/init/error`, async (c) => {
      if (this.#state.kind !== 'initializing') {
        return runtimeApiError(c, 403, RuntimeApiError.InvalidStateTransition, 'Init error after init')
      }
      const body = await readBounded(c.req.raw, this.#maxSize)
      if (!body.ok) return this.#tooLarge(c)
      this.#state = { kind: 'failed' }
      this.#events.initError(errorReport(body.text, c.req.header(ERROR_TYPE_HEADER)))
      return c.json({ status: 'OK' }, 202)
    })
    app.notFound((c) =>
      runtimeApiError(c, 404, RuntimeApiError.NotFound, `No such route: ${c.req.method} ${c.req.path}`),
    )
  }

  get undelivered(): string | null {
    return this.#pending?.requestId ?? null
  }

  get waiting(): boolean {
    return this.#poll !== null
  }

  get current(): string | null {
    return this.#state.kind === 'invoking' ? this.#state.requestId : null
  }

  credit(requestId: string, bytes: number): void {
    if (this.#stream?.requestId === requestId) this.#stream.reader.credit(bytes)
  }

  cancel(requestId: string): void {
    if (this.#stream?.requestId === requestId) this.#stream.reader.cancel()
  }

  deliver(event: InvokeMessage): void {
    if (this.#pending !== null || this.#state.kind === 'invoking') {
      throw new Error(`The Runtime API already holds an event; ${event.requestId} was handed over too early`)
    }
    this.#pending = event
    const poll = this.#poll
    if (poll !== null) {
      this.#poll = null
      poll.resolve(this.#take())
    }
  }

  #next(c: Context): Response | Promise<Response> {
    const state = this.#state
    if (state.kind === 'failed') {
      return runtimeApiError(c, 403, RuntimeApiError.InvalidStateTransition, 'The runtime reported an init error')
    }
    if (state.kind === 'invoking') {
      return runtimeApiError(
        c,
        403,
        RuntimeApiError.InvalidStateTransition,
        `Invocation ${state.requestId} is not answered yet`,
      )
    }
    if (this.#poll !== null) {
      return runtimeApiError(c, 403, RuntimeApiError.InvalidStateTransition, 'Another /next is already waiting')
    }
    this.#state = { kind: 'ready' }
    // May hand an event over at once (the host's next queued invocation).
    this.#events.next()
    if (this.#pending !== null) return this.#take()
    const signal = c.req.raw.signal
    return new Promise<Response>((resolve) => {
      const poll: Poll = { resolve, signal }
      this.#poll = poll
      // A runtime that died while polling leaves a dead request behind: drop
      // it, so the event goes to the next /next instead of into a closed socket.
      signal.addEventListener(
        'abort',
        () => {
          if (this.#poll !== poll) return
          this.#poll = null
          resolve(new Response(null, { status: 499 }))
        },
        { once: true },
      )
    })
  }

  #take(): Response {
    const event = this.#pending!
    this.#pending = null
    this.#state = { kind: 'invoking', requestId: event.requestId }
    return eventResponse(event, this.#arn)
  }

  /** Why a request about `requestId` is refused, or null for the event being run. */
  #refusal(c: Context, requestId: string): Response | null {
    if (requestId === this.current) return null
    if (requestId === this.#answered) {
      return runtimeApiError(
        c,
        403,
        RuntimeApiError.InvalidStateTransition,
        `Invocation ${requestId} is already answered`,
      )
    }
    return runtimeApiError(c, 400, RuntimeApiError.InvalidRequestId, 'Invalid request ID')
  }

  #response(c: Context): Promise<Response> | Response {
    const requestId = c.req.param('id')!
    const mode = c.req.header(RESPONSE_MODE_HEADER)
    if (mode !== undefined && requestId === this.current) {
      if (mode === 'streaming') return this.#streamResponse(c, requestId)
      const message = `Unknown ${RESPONSE_MODE_HEADER}: ${mode}`
      this.#fail(requestId, `Runtime.${RuntimeApiError.InvalidFunctionResponseMode}`, message)
      return runtimeApiError(c, 400, RuntimeApiError.InvalidFunctionResponseMode, message)
    }
    return this.#answer(c, requestId, (text) => this.#events.response(requestId, text))
  }

  /**
   * A streaming `/response`: its body is read as it arrives, each chunk
   * forwarded at once, and its end (or the error its trailers name) is the
   * invocation's answer. The size cap and the deadline are the host's, as
   * for a stream over the port.
   */
  #streamResponse(c: Context, requestId: string): Promise<Response> {
    if (this.#stream !== null) {
      return Promise.resolve(
        runtimeApiError(c, 403, RuntimeApiError.InvalidStateTransition, `Invocation ${requestId} is already streaming`),
      )
    }
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
    if (incoming === undefined) {
      // Served without @hono/node-server (`app.request()`): no trailers to read.
      const message = 'Response streaming needs the Runtime API served by listenRuntimeApi'
      this.#fail(requestId, `Runtime.${RuntimeApiError.InvalidFunctionResponseMode}`, message)
      return Promise.resolve(runtimeApiError(c, 400, RuntimeApiError.InvalidFunctionResponseMode, message))
    }
    const contentType = c.req.header('Content-Type') ?? DEFAULT_STREAM_CONTENT_TYPE
    return new Promise<Response>((resolve) => {
      const reader = new ResponseStreamReader(incoming, {
        chunk: (chunk) => this.#events.streamChunk(requestId, chunk),
        end: (error) => {
          this.#stream = null
          if (this.current !== requestId) {
            resolve(runtimeApiError(c, 400, RuntimeApiError.InvalidRequestId, 'Invalid request ID'))
            return
          }
          this.#settle(requestId)
          if (error === null) this.#events.streamEnd(requestId)
          else this.#events.error(requestId, error)
          resolve(c.json({ status: 'OK' }, 202))
        },
      })
      this.#stream = { requestId, reader }
      // Only now: credit given from streamStart (the host grants its window
      // there) must find the stream. No chunk comes before this turn ends.
      this.#events.streamStart(requestId, contentType)
      // Cut before its end (the environment is going): nothing to report.
      incoming.once('close', () => {
        if (this.#stream?.reader !== reader) return
        this.#stream = null
        resolve(new Response(null, { status: 499 }))
      })
    })
  }

  #error(c: Context): Promise<Response> {
    const requestId = c.req.param('id')!
    const headerType = c.req.header(ERROR_TYPE_HEADER)
    return this.#answer(c, requestId, (text) => this.#events.error(requestId, errorReport(text, headerType)))
  }

  /**
   * The runtime's answer to the event it holds, `/response` or `/error`:
   * refused for any other id, before and after its body is read (the
   * deadline may pass while it comes in); over the limit, the invocation
   * fails with `Function.ResponseSizeTooLarge`.
   */
  async #answer(c: Context, requestId: string, report: (text: string) => void): Promise<Response> {
    const before = this.#refusal(c, requestId)
    if (before !== null) return before
    const body = await readBounded(c.req.raw, this.#maxSize)
    const after = this.#refusal(c, requestId)
    if (after !== null) return after
    if (!body.ok) {
      const message = `Response payload size exceeded maximum allowed payload size (${this.#maxSize} bytes).`
      this.#fail(requestId, ErrorType.ResponseSizeTooLarge, message)
      return this.#tooLarge(c)
    }
    this.#settle(requestId)
    report(body.text)
    return c.json({ status: 'OK' }, 202)
  }

  #fail(requestId: string, errorType: string, errorMessage: string): void {
    this.#settle(requestId)
    this.#events.error(requestId, { errorType, errorMessage, trace: [] })
  }

  #tooLarge(c: Context): Response {
    const message = `Exceeded maximum allowed payload size (${this.#maxSize} bytes).`
    return runtimeApiError(c, 413, RuntimeApiError.RequestEntityTooLarge, message)
  }

  /** The event is answered: the runtime may ask for the next one. */
  #settle(requestId: string): void {
    this.#state = { kind: 'ready' }
    this.#answered = requestId
  }
}
