import type { FunctionStats, HostStats, InvokeOptions, Invoker, RawInvokeResult } from '@lambdalet/protocol'

export interface InvokeCall {
  name: string
  payload: string
  options: InvokeOptions | undefined
}

type Respond = (call: InvokeCall) => Partial<RawInvokeResult> | Promise<Partial<RawInvokeResult>>

export interface FakeInvoker extends Invoker {
  calls: InvokeCall[]
  /** Replaces how the next invocations answer. */
  respond(respond: Respond): void
  /** The first call's event, parsed (for HTTP routes). */
  event(index?: number): Record<string, any>
}

/** An Invoker with known functions that records calls; by default echoes the payload. */
export function fakeInvoker(functionNames: string[] = ['hello'], stats?: HostStats): FakeInvoker {
  let respond: Respond = (call) => ({ payload: call.payload })
  const calls: InvokeCall[] = []
  return {
    calls,
    respond(next) {
      respond = next
    },
    event(index = 0) {
      const call = calls[index]
      if (call === undefined) throw new Error(`No call #${index}`)
      return JSON.parse(call.payload) as Record<string, any>
    },
    async invokeRaw(name, payload, options) {
      const call = { name, payload, options }
      calls.push(call)
      const result = await respond(call)
      return {
        requestId: options?.requestId ?? 'fake-request-id',
        payload: '{}',
        functionError: false,
        executedVersion: '$LATEST',
        ...result,
      }
    },
    hasFunction: (name) => functionNames.includes(name),
    functionNames: () => [...functionNames],
    stats: () => stats ?? { functions: {}, concurrentExecutions: 0, threads: 0, closing: false },
  }
}

export function functionStats(overrides: Partial<FunctionStats> = {}): FunctionStats {
  return {
    environments: { starting: 0, idle: 0, busy: 0, dying: 0 },
    invocations: 0,
    errors: 0,
    throttles: 0,
    timeouts: 0,
    coldStarts: 0,
    queue: { waiting: 0, running: 0 },
    duration: { bounds: [], counts: [0], sumMs: 0, count: 0 },
    ...overrides,
  }
}

/** A promise and the functions that settle it, for holding an invocation open. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** A body of `size` bytes that arrives in chunks, with no Content-Length. */
export function streamedBody(
  size: number,
  chunkSize = 64 * 1024,
): { body: ReadableStream<Uint8Array>; pulled: () => number } {
  let sent = 0
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= size) {
        controller.close()
        return
      }
      const length = Math.min(chunkSize, size - sent)
      sent += length
      controller.enqueue(new Uint8Array(length).fill(0x20))
    },
  })
  return { body, pulled: () => sent }
}

/** A JSON response body, for reading one field of it. */
export async function jsonBody(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>
}
