import {
  type ErrorShape,
  HTTP_INTEGRATION_CONTENT_TYPE,
  type StreamCompletion,
  type StreamingInvokeResult,
  serviceError,
} from '@lambdalet/protocol'
import { describe, expect, it } from 'vitest'
import { fakeInvoker } from '../test/fake-invoker.js'
import { createGateway } from './create-gateway.js'

const STREAM_PATH = (name: string) => `/2021-11-15/functions/${name}/response-streaming-invocations`
const encoder = new TextEncoder()

/** A head of a streaming handler that wrote `chunks`, then ended with `error` if given. */
function streamed(chunks: Array<string | Uint8Array>, contentType: string, error?: ErrorShape): StreamingInvokeResult {
  const completion: StreamCompletion = error === undefined ? {} : { error }
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk)
      if (error === undefined) controller.close()
      else controller.error(new Error(error.errorMessage))
    },
  })
  return {
    streamed: true,
    requestId: 'r-1',
    executedVersion: '$LATEST',
    contentType,
    body,
    completion: Promise.resolve(completion),
  }
}

function setup(answer: () => StreamingInvokeResult | Promise<StreamingInvokeResult>) {
  const invoker = Object.assign(fakeInvoker(['fn']), {
    invokeStreamRaw: async () => answer(),
  })
  return createGateway(invoker, { routes: { fn: ['GET /fn'] }, logger: () => {} })
}

const prelude = (value: unknown) => [JSON.stringify(value), new Uint8Array(8)]

describe('InvokeWithResponseStream', () => {
  it('answers 200 with an event stream as soon as the stream begins', async () => {
    const app = setup(() => streamed(['a'], 'text/plain'))
    const res = await app.request(STREAM_PATH('fn'), { method: 'POST', body: '{}' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/vnd.amazon.eventstream')
    expect(res.headers.get('x-amzn-requestid')).toBe('r-1')
    expect(res.headers.get('x-amz-executed-version')).toBe('$LATEST')
    const bytes = new Uint8Array(await res.arrayBuffer())
    const text = Buffer.from(bytes).toString('latin1')
    expect(text).toContain(':event-type\x07\x00\x0cPayloadChunk')
    expect(text).toContain(':event-type\x07\x00\x0eInvokeComplete')
    // The first frame's total length is its first four bytes.
    expect(new DataView(bytes.buffer).getUint32(0)).toBeLessThan(bytes.byteLength)
  })

  it('answers a payload that is not valid UTF-8 with 400 InvalidRequestContentException, running nothing', async () => {
    let ran = false
    const app = setup(() => {
      ran = true
      return streamed(['a'], 'text/plain')
    })
    const res = await app.request(STREAM_PATH('fn'), {
      method: 'POST',
      body: Buffer.from('{"name":"caf\xe9"}', 'latin1'),
    })
    expect(res.status).toBe(400)
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException')
    expect(((await res.json()) as { message: string }).message).toMatch(/not valid UTF-8/)
    expect(ran).toBe(false)
  })

  it('refuses Event invocations, which Lambda does not stream', async () => {
    const app = setup(() => streamed([], 'text/plain'))
    const res = await app.request(STREAM_PATH('fn'), { method: 'POST', headers: { 'X-Amz-Invocation-Type': 'Event' } })
    expect(res.status).toBe(400)
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidParameterValueException')
    expect(((await res.json()) as { message: string }).message).toContain('expected RequestResponse or DryRun')
  })

  it('answers DryRun with 204 and an unknown function with 404, before running anything', async () => {
    const app = setup(() => {
      throw new Error('must not run')
    })
    const dry = await app.request(STREAM_PATH('fn'), { method: 'POST', headers: { 'X-Amz-Invocation-Type': 'DryRun' } })
    expect(dry.status).toBe(204)
    const missing = await app.request(STREAM_PATH('fn:v2'), { method: 'POST' })
    expect(missing.status).toBe(404)
    expect(missing.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException')
  })

  it('passes a throttle on as a REST-JSON error, not a stream', async () => {
    const app = setup(() => {
      throw serviceError('TooManyRequestsException', 'Rate exceeded')
    })
    const res = await app.request(STREAM_PATH('fn'), { method: 'POST' })
    expect(res.status).toBe(429)
    expect(res.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException')
  })
})

describe('HTTP routes of streaming handlers', () => {
  it('sends a plain stream as a 200 with the handler’s content type', async () => {
    const app = setup(() => streamed(['a', 'b'], 'text/event-stream'))
    const res = await app.request('/fn')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    expect(await res.text()).toBe('ab')
  })

  it('takes the head from a prelude split across chunks, and drops framing headers', async () => {
    const [json, nul] = prelude({
      statusCode: 418,
      headers: { 'x-a': 'b', 'content-length': '1', 'transfer-encoding': 'gzip' },
      cookies: ['c=1'],
    })
    const text = json as string
    const app = setup(() =>
      streamed(
        [text.slice(0, 5), text.slice(5), (nul as Uint8Array).subarray(0, 3), (nul as Uint8Array).subarray(3), 'body'],
        HTTP_INTEGRATION_CONTENT_TYPE,
      ),
    )
    const res = await app.request('/fn')
    expect(res.status).toBe(418)
    expect(res.headers.get('x-a')).toBe('b')
    expect(res.headers.get('content-length')).toBeNull()
    expect(res.headers.get('transfer-encoding')).toBe('chunked')
    expect(res.headers.getSetCookie()).toEqual(['c=1'])
    expect(await res.text()).toBe('body')
  })

  it('answers 502 for a prelude that is not JSON or has no delimiter', async () => {
    for (const chunks of [['{oops', new Uint8Array(8), 'x'], ['{"statusCode":200}']]) {
      const app = setup(() => streamed(chunks, HTTP_INTEGRATION_CONTENT_TYPE))
      const res = await app.request('/fn')
      expect(res.status).toBe(502)
    }
  })

  it('answers 502 for headers no HTTP response can carry, and stops the stream', async () => {
    const cases = [
      () => streamed([...prelude({ headers: { 'x-a': 'line\nbreak' } }), 'x'], HTTP_INTEGRATION_CONTENT_TYPE),
      () => streamed([...prelude({ headers: { 'bad name': '1' } }), 'x'], HTTP_INTEGRATION_CONTENT_TYPE),
      () => streamed(['x'], 'text/plain\r\nx-injected: 1'),
    ]
    for (const make of cases) {
      let cancelled = false
      const app = setup(() => {
        const head = make()
        if (!head.streamed) throw new Error('a streamed head')
        const reader = head.body.getReader()
        const body = new ReadableStream<Uint8Array>({
          pull: async (controller) => {
            const { done, value } = await reader.read()
            if (done) controller.close()
            else controller.enqueue(value)
          },
          cancel: () => {
            cancelled = true
          },
        })
        return { ...head, body }
      })
      const res = await app.request('/fn')
      expect(res.status).toBe(502)
      expect(res.headers.get('x-injected')).toBeNull()
      // The handler's writes fail at once instead of waiting for the deadline.
      expect(cancelled).toBe(true)
    }
  })

  it('answers 504 when the deadline passes before the prelude is whole', async () => {
    const timeout = { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1.00 seconds', trace: [] }
    const app = setup(() => streamed(['{"statusCode"'], HTTP_INTEGRATION_CONTENT_TYPE, timeout))
    const res = await app.request('/fn')
    expect(res.status).toBe(504)
    expect(await res.json()).toEqual({ message: 'Endpoint request timed out' })
  })

  it('answers HEAD with the head only and cancels the rest of the stream', async () => {
    let cancelled = false
    const app = setup(() => {
      const head = streamed([], 'text/plain')
      const body = new ReadableStream<Uint8Array>({
        pull: (controller) => controller.enqueue(encoder.encode('more')),
        cancel: () => {
          cancelled = true
        },
      })
      return { ...head, body } as StreamingInvokeResult
    })
    const res = await app.request('/fn', { method: 'HEAD' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/plain')
    expect(await res.text()).toBe('')
    expect(cancelled).toBe(true)
  })

  it('sends no body with a 204 prelude', async () => {
    const app = setup(() => streamed([...prelude({ statusCode: 204 }), 'ignored'], HTTP_INTEGRATION_CONTENT_TYPE))
    const res = await app.request('/fn')
    expect(res.status).toBe(204)
    expect(await res.text()).toBe('')
  })
})
