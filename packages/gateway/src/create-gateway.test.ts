import { describe, expect, it } from 'vitest'
import { deferred, fakeInvoker, jsonBody } from '../test/fake-invoker.js'
import { createGateway } from './create-gateway.js'
import { createLifecycle } from './lifecycle.js'

const invokeInit: RequestInit = { method: 'POST', body: '{}' }
const INVOKE = '/2015-03-31/functions/hello/invocations'

describe('health and shutdown', () => {
  it('reports ready on /healthz until shutdown begins, then closing with 503', async () => {
    const lifecycle = createLifecycle()
    const app = createGateway(fakeInvoker(), { lifecycle })
    const ready = await app.request('/healthz')
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ status: 'ready' })

    lifecycle.beginShutdown()
    const closing = await app.request('/healthz')
    expect(closing.status).toBe(503)
    expect(await closing.json()).toEqual({ status: 'closing' })
  })

  it('refuses new requests with a ServiceException after shutdown begins, but still serves /metrics', async () => {
    const lifecycle = createLifecycle()
    const invoker = fakeInvoker(['hello'])
    const app = createGateway(invoker, { lifecycle, routes: { hello: ['GET /hello'] } })
    lifecycle.beginShutdown()

    const invoke = await app.request(INVOKE, invokeInit)
    const route = await app.request('/hello')
    for (const res of [invoke, route]) {
      expect(res.status).toBe(503)
      expect(res.headers.get('x-amzn-errortype')).toBe('ServiceException')
      expect((await jsonBody(res)).Type).toBe('Service')
    }
    expect(invoke.headers.get('x-amzn-requestid')).not.toBeNull()
    expect((await app.request('/metrics')).status).toBe(200)
    expect(invoker.calls).toHaveLength(0)
  })

  it('lets a request in flight finish after shutdown begins, and drain waits for it', async () => {
    const lifecycle = createLifecycle()
    const invoker = fakeInvoker()
    const app = createGateway(invoker, { lifecycle })
    const running = deferred<{ payload: string }>()
    invoker.respond(() => running.promise)

    const response = app.request(INVOKE, invokeInit)
    await expect.poll(() => invoker.calls.length).toBe(1)
    lifecycle.beginShutdown()
    expect(await lifecycle.drain(0)).toBe(false)

    const drained = lifecycle.drain(1000)
    running.resolve({ payload: '"done"' })
    const res = await response
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('"done"')
    expect(await drained).toBe(true)
  })

  it('counts a request as in flight only once its body is in, and refuses it if shutdown began meanwhile', async () => {
    const lifecycle = createLifecycle()
    const invoker = fakeInvoker()
    const app = createGateway(invoker, { lifecycle })
    let send: ReadableStreamDefaultController<Uint8Array> | undefined
    const reading = deferred<void>()
    // A high-water mark of 0: pull() means a reader waits for more.
    const body = new ReadableStream<Uint8Array>(
      {
        start(controller) {
          send = controller
        },
        pull: () => reading.resolve(),
      },
      { highWaterMark: 0 },
    )
    const response = app.request(INVOKE, {
      method: 'POST',
      body,
      headers: { 'content-length': '2' },
      duplex: 'half',
    } as RequestInit)
    send!.enqueue(new TextEncoder().encode('{'))
    // The handler waits for the rest of the body: a drain has nothing to wait for.
    await reading.promise
    lifecycle.beginShutdown()
    expect(await lifecycle.drain(0)).toBe(true)
    send!.enqueue(new TextEncoder().encode('}'))
    send!.close()
    const res = await response
    expect(res.status).toBe(503)
    expect(res.headers.get('x-amzn-errortype')).toBe('ServiceException')
    expect(invoker.calls).toHaveLength(0)
    expect(lifecycle.pending).toBe(0)
  })

  it('resolves drain at once when nothing is in flight', async () => {
    expect(await createLifecycle().drain(0)).toBe(true)
  })

  it('rejects a negative drain timeout', () => {
    expect(() => createLifecycle().drain(-1)).toThrow('Expected `timeoutMs` to be a non-negative number, got `-1`')
  })
})

describe('API key', () => {
  const apiKey = 'secret-key_123'

  it('answers 401 without a bearer token and 403 with a wrong one', async () => {
    const invoker = fakeInvoker()
    const app = createGateway(invoker, { apiKey })
    const missing = await app.request(INVOKE, invokeInit)
    const wrong = await app.request(INVOKE, { ...invokeInit, headers: { authorization: 'Bearer nope' } })
    const notBearer = await app.request('/metrics', { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=x' } })
    expect(missing.status).toBe(401)
    expect(missing.headers.get('x-amzn-requestid')).not.toBeNull()
    expect(await missing.json()).toEqual({ message: 'Unauthorized' })
    expect(wrong.status).toBe(403)
    expect(notBearer.status).toBe(401)
    expect(invoker.calls).toHaveLength(0)
  })

  it('serves every route with the right bearer token', async () => {
    const invoker = fakeInvoker()
    const app = createGateway(invoker, { apiKey, routes: { hello: ['GET /hello'] } })
    const headers = { authorization: `Bearer ${apiKey}` }
    expect((await app.request(INVOKE, { ...invokeInit, headers })).status).toBe(200)
    expect((await app.request('/hello', { headers })).status).toBe(200)
    expect((await app.request('/metrics', { headers })).status).toBe(200)
    expect((await app.request('/metrics')).status).toBe(401)
  })

  it('leaves /healthz open', async () => {
    const app = createGateway(fakeInvoker(), { apiKey })
    expect((await app.request('/healthz')).status).toBe(200)
  })

  it('refuses an API key that could never match a bearer token', () => {
    expect(() => createGateway(fakeInvoker(), { apiKey: 'has space' })).toThrow(/`apiKey`/)
    expect(() => createGateway(fakeInvoker(), { apiKey: '' })).toThrow(/`apiKey`/)
  })
})
