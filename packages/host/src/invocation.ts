import type { InvokeOptions, RawInvokeResult } from '@lambdalet/protocol'
import type { ResponseSink } from './response-sink.js'
import { TailBuffer } from './tail-buffer.js'

/** One accepted invocation, from the caller's call to its answer. */
export class Invocation {
  readonly requestId: string
  readonly payload: string
  readonly options: InvokeOptions
  /** The last 4 KB of the invocation's log, kept only when the caller asked for `Tail`. */
  readonly tail: TailBuffer | null
  /** Where a streaming handler's bytes go: a streaming caller's, or (set when it streams) a buffer. */
  sink: ResponseSink | null
  #resolve: (result: RawInvokeResult) => void
  #reject: (error: Error) => void
  #settled = false

  constructor(
    requestId: string,
    payload: string,
    options: InvokeOptions,
    resolve: (result: RawInvokeResult) => void,
    reject: (error: Error) => void,
    sink: ResponseSink | null = null,
  ) {
    this.requestId = requestId
    this.payload = payload
    this.options = options
    this.tail = options.logType === 'Tail' ? new TailBuffer() : null
    this.#resolve = resolve
    this.#reject = reject
    this.sink = sink
  }

  /**
   * The one place a caller hears back: a result (function errors included,
   * as the Invoke API reports them) or an `Error`. Only the first answer
   * counts, so a late one (a bug, a race) cannot answer twice.
   */
  settle(answer: RawInvokeResult | Error): void {
    if (this.#settled) return
    this.#settled = true
    if (answer instanceof Error) this.#reject(answer)
    else this.#resolve(answer)
  }
}
