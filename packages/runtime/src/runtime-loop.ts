import { performance } from 'node:perf_hooks'
import { getHeapStatistics } from 'node:v8'
import type { MessagePort } from 'node:worker_threads'
import {
  type CrashMessage,
  type ErrorMessage,
  ErrorType,
  type InvokeMessage,
  type ResponseMessage,
  type RuntimeConfig,
  type RuntimeMessage,
  type StreamEndMessage,
  type StreamHostMessage,
  toErrorShape,
} from '@lambdalet/protocol'
import { installAwsLambdaGlobal, streamingMark } from './awslambda.js'
import { captureConsole, type FunctionLog } from './console-capture.js'
import { createContext } from './context.js'
import { encodeResult } from './encode-result.js'
import { invokeHandler } from './invoke-handler.js'
import { invokeStreaming, ResponseStreams } from './invoke-streaming.js'
import { type Handler, loadHandler } from './load-handler.js'
import { LogBatch } from './log-batch.js'
import { PortInbox } from './port-inbox.js'
import { captureStreams } from './stream-capture.js'

/**
 * The runtime: load the handler, then loop — ask for an event, run it,
 * report, ask again — one event at a time, as a Lambda runtime does against
 * the Runtime API. Never returns: the host ends an environment by
 * terminating its thread, and a returned task would hand the thread back to
 * the pool with this function's module state still in it.
 */
export async function runLoop(port: MessagePort, config: RuntimeConfig): Promise<never> {
  const post = (message: RuntimeMessage, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer)
  post({ type: 'started' })
  const inbox = new PortInbox(port)
  const streams = new ResponseStreams(post)
  port.on('message', (message: InvokeMessage | StreamHostMessage) => {
    if (message.type !== 'invoke') streams.control(message)
  })
  let crashed = false

  const logs = new LogBatch(port, config.logBudgetBytes)
  const log = captureConsole(logs, config)
  const output = captureStreams(logs, config)
  // Anything that escapes the handler poisons the environment: report it as
  // the running invocation's error and let the host destroy this worker.
  const crash = (label: string, error: CrashMessage['error']) => {
    if (crashed) return
    crashed = true
    log.error(label, error)
    output.flush()
    logs.end()
    post({ type: 'crash', requestId: logs.requestId, error })
  }
  process.on('uncaughtException', (error) => crash('Uncaught Exception', toErrorShape(error)))
  process.on('unhandledRejection', (reason) =>
    crash('Unhandled Promise Rejection', {
      errorType: ErrorType.UnhandledPromiseRejection,
      errorMessage: String(reason instanceof Error ? `${reason.name}: ${reason.message}` : reason),
      trace: reason instanceof Error && reason.stack ? reason.stack.split('\n') : [],
    }),
  )
  delete process.env._X_AMZN_TRACE_ID
  installAwsLambdaGlobal()

  const initStart = performance.now()
  // Set in the worker, not as --enable-source-maps in its execArgv: a
  // worker's execArgv refuses flags the host process may have been started
  // with (--max-old-space-size, --expose-gc).
  if (config.sourceMaps === true) process.setSourceMapsEnabled(true)
  let handler: Handler
  let streaming: Streaming
  try {
    handler = await loadHandler(config)
    const mark = streamingMark(handler)
    streaming = mark === null ? null : { ...mark, streams }
  } catch (error) {
    output.flush()
    logs.flush()
    post({ type: 'init-error', error: toErrorShape(error), initDurationMs: performance.now() - initStart })
    // The host terminates this thread; until then the failed module stays cached here.
    return untilTerminated()
  }
  output.flush()
  logs.flush()
  post({ type: 'next', initDurationMs: performance.now() - initStart, heapUsedBytes: heapUsed() })

  while (!crashed) {
    const message = await inbox.receive()
    // A crash reported while this event was on its way: the host gives the
    // event to another environment, so it must not run here too.
    if (crashed) break
    logs.begin(message.requestId)
    const report = await invoke(handler, config, message, streaming, log)
    if (crashed) break
    // Every line of the invocation goes before its answer, so the host
    // writes them between START and END.
    output.flush()
    logs.end()
    logs.begin(null)
    post(report)
  }
  // A crashed environment is destroyed by the host, which terminates this thread.
  return untilTerminated()
}

/** A `streamifyResponse` handler's settings, or null for an ordinary handler. */
type Streaming = { highWaterMark: number; streams: ResponseStreams } | null

async function invoke(
  handler: Handler,
  config: RuntimeConfig,
  message: InvokeMessage,
  streaming: Streaming,
  log: FunctionLog,
): Promise<ResponseMessage | ErrorMessage | StreamEndMessage> {
  // Duration as Lambda bills it: the function's own time, from the event to
  // its encoded result (or the end of its stream), with none of the host's queueing.
  const started = performance.now()
  let event: unknown
  try {
    event = JSON.parse(message.event)
  } catch (error) {
    const durationMs = performance.now() - started
    return {
      type: 'error',
      requestId: message.requestId,
      error: toErrorShape(error, ErrorType.InvalidRequestContent),
      heapUsedBytes: heapUsed(),
      durationMs,
      invalidEvent: true,
    }
  }
  setTraceId(message.traceId)
  try {
    if (streaming !== null) {
      const stream = streaming.streams.open(message.requestId, streaming.highWaterMark)
      try {
        await invokeStreaming(handler, event, createContext(config, message), stream)
      } finally {
        streaming.streams.close(stream)
      }
      const durationMs = performance.now() - started
      return { type: 'stream-end', requestId: message.requestId, heapUsedBytes: heapUsed(), durationMs }
    }
    const result = await invokeHandler(handler, event, createContext(config, message))
    const body = encodeResult(result)
    const durationMs = performance.now() - started
    return { type: 'response', requestId: message.requestId, body, heapUsedBytes: heapUsed(), durationMs }
  } catch (error) {
    const shape = toErrorShape(error)
    const durationMs = performance.now() - started
    log.error('Invoke Error', shape)
    return { type: 'error', requestId: message.requestId, error: shape, heapUsedBytes: heapUsed(), durationMs }
  }
}

let currentTraceId: string | undefined

// process.env is backed by the C++ environment store, slow to touch on every
// invocation: write it only when the trace id changes.
function setTraceId(traceId: string | undefined): void {
  if (traceId === currentTraceId) return
  currentTraceId = traceId
  if (traceId === undefined) delete process.env._X_AMZN_TRACE_ID
  else process.env._X_AMZN_TRACE_ID = traceId
}

function heapUsed(): number {
  return getHeapStatistics().used_heap_size
}

// The port's listener keeps the thread's event loop alive until it is terminated.
function untilTerminated(): Promise<never> {
  return new Promise<never>(() => {})
}
