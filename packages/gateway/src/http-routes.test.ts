import { ErrorType, MAX_PAYLOAD_BYTES, serviceError } from '@lambdalet/protocol'
import { describe, expect, it } from 'vitest'
import { fakeInvoker, streamedBody } from '../test/fake-invoker.js'
import { createGateway } from './create-gateway.js'

function setup(routes: Record<string, string[]>) {
  const invoker = fakeInvoker(Object.keys(routes))
  invoker.respond(() => ({ payload: '"ok"' }))
  const app = createGateway(invoker, { routes, logger: () => {} })
  return { app, invoker }
}

describe('routing', () => {
  it('routes by method and path, and answers 404 Not Found for anything unmatched', async () => {
    const { app, invoker } = setup({ hello: ['GET /hello'] })
    expect((await app.request('/hello')).status).toBe(200)
    const wrongMethod = await app.request('/hello', { method: 'POST' })
    const wrongPath = await app.request('/nope')
    for (const res of [wrongMethod, wrongPath]) {
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ message: 'Not Found' })
    }
    expect(invoker.calls).toHaveLength(1)
  })

  it('answers HEAD with the GET route and no body', async () => {
    const { app, invoker } = setup({ hello: ['GET /hello'] })
    const res = await app.request('/hello', { method: 'HEAD' })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('')
    expect(invoker.event().requestContext.http.method).toBe('HEAD')
  })

  it('matches every method on an ANY route', async () => {
    const { app, invoker } = setup({ users: ['ANY /users/{id}'] })
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      expect((await app.request('/users/1', { method })).status).toBe(200)
    }
    expect(invoker.calls.map((_, i) => invoker.event(i).requestContext.http.method)).toEqual([
      'GET',
      'POST',
      'PUT',
      'PATCH',
      'DELETE',
      'OPTIONS',
    ])
  })

  it('fills pathParameters, including a greedy proxy+ spanning several segments', async () => {
    const { app, invoker } = setup({ users: ['GET /users/{id}/posts/{postId}'], files: ['ANY /files/{proxy+}'] })
    await app.request('/users/42/posts/hello%20world')
    await app.request('/files/a/b/c.txt')
    expect(invoker.event(0).pathParameters).toEqual({ id: '42', postId: 'hello world' })
    expect(invoker.event(0).routeKey).toBe('GET /users/{id}/posts/{postId}')
    expect(invoker.event(1).pathParameters).toEqual({ proxy: 'a/b/c.txt' })
    expect(invoker.event(1).routeKey).toBe('ANY /files/{proxy+}')
  })

  it('prefers the most specific route, as API Gateway does, whatever the order they were given in', async () => {
    const { app, invoker } = setup({
      catchAll: ['$default'],
      greedy: ['ANY /{proxy+}'],
      param: ['ANY /items/{id}'],
      exact: ['GET /items/special'],
    })
    await app.request('/items/special')
    await app.request('/items/special', { method: 'POST' })
    await app.request('/items/7')
    await app.request('/elsewhere/deep')
    await app.request('/')
    expect(invoker.calls.map((call) => call.name)).toEqual(['exact', 'param', 'param', 'greedy', 'catchAll'])
    expect(invoker.event(4).routeKey).toBe('$default')
  })

  it('keeps the built-in routes ahead of a catch-all route', async () => {
    const { app, invoker } = setup({ catchAll: ['$default'] })
    expect(await (await app.request('/healthz')).json()).toEqual({ status: 'ready' })
    expect((await app.request('/2015-03-31/functions/catchAll/invocations', { method: 'POST' })).status).toBe(200)
    expect(invoker.calls[0]?.payload).toBe('{}')
  })

  it.each([
    ['an unknown method', 'FETCH /x'],
    ['HEAD, which the GET route answers', 'HEAD /x'],
    ['a path without a leading slash', 'GET x'],
    ['a greedy parameter before the end', 'GET /{proxy+}/x'],
    ['a Hono-only pattern', 'GET /x/:id'],
    ['a wildcard', 'GET /x/*'],
  ])('refuses a route key with %s at creation', (_, key) => {
    expect(() => setup({ hello: [key] })).toThrow(/routes\.hello/)
  })

  it('refuses the same route key for two functions, and routes for unknown functions', () => {
    const invoker = fakeInvoker(['a', 'b'])
    expect(() => createGateway(invoker, { routes: { a: ['GET /x'], b: ['GET /x'] } })).toThrow(/unique/)
    expect(() => createGateway(invoker, { routes: { c: ['GET /x'] } })).toThrow(/known functions/)
  })
})

describe('the HTTP API event', () => {
  it('carries the request as a payload format 2.0 event', async () => {
    const { app, invoker } = setup({ hello: ['POST /hello/{name}'] })
    await app.request('http://api.example.com:3000/hello/world?x=1', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'test-agent', 'X-Custom': 'yes' },
      body: '{"a":1}',
    })
    const event = invoker.event()
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /hello/{name}',
      rawPath: '/hello/world',
      rawQueryString: 'x=1',
      headers: { 'content-type': 'application/json', 'user-agent': 'test-agent', 'x-custom': 'yes' },
      pathParameters: { name: 'world' },
      body: '{"a":1}',
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        domainName: 'api.example.com:3000',
        domainPrefix: 'api',
        http: { method: 'POST', path: '/hello/world', protocol: 'HTTP/1.1', userAgent: 'test-agent' },
        routeKey: 'POST /hello/{name}',
        stage: '$default',
      },
    })
    expect(event.requestContext.requestId).toBe(invoker.calls[0]?.options?.requestId)
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/)
    expect(typeof event.requestContext.timeEpoch).toBe('number')
  })

  it('comma-joins repeated query keys and leaves out what the request does not have', async () => {
    const { app, invoker } = setup({ hello: ['GET /hello'] })
    await app.request('/hello?tag=a&tag=b&q=hello%20there&empty=')
    await app.request('/hello')
    expect(invoker.event(0).queryStringParameters).toEqual({ tag: 'a,b', q: 'hello there', empty: '' })
    expect(invoker.event(0).rawQueryString).toBe('tag=a&tag=b&q=hello%20there&empty=')
    const bare = invoker.event(1)
    for (const key of ['queryStringParameters', 'cookies', 'pathParameters', 'body'])
      expect(bare).not.toHaveProperty(key)
    expect(bare.isBase64Encoded).toBe(false)
  })

  it('moves cookies out of the headers into the cookies array', async () => {
    const { app, invoker } = setup({ hello: ['GET /hello'] })
    await app.request('/hello', { headers: { cookie: 'a=1; b=2' } })
    expect(invoker.event().cookies).toEqual(['a=1', 'b=2'])
    expect(invoker.event().headers).not.toHaveProperty('cookie')
  })

  it('base64-encodes a binary body and a body that is not UTF-8', async () => {
    const { app, invoker } = setup({ upload: ['POST /upload'] })
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff])
    await app.request('/upload', { method: 'POST', headers: { 'content-type': 'image/png' }, body: png })
    await app.request('/upload', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: new Uint8Array([0xff, 0xfe]),
    })
    await app.request('/upload', {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: 'héllo',
    })
    expect(invoker.event(0)).toMatchObject({ body: Buffer.from(png).toString('base64'), isBase64Encoded: true })
    expect(invoker.event(1)).toMatchObject({ body: '//4=', isBase64Encoded: true })
    expect(invoker.event(2)).toMatchObject({ body: 'héllo', isBase64Encoded: false })
  })

  it('answers 413 for a body over 6 MB, streamed or declared', async () => {
    const { app, invoker } = setup({ upload: ['POST /upload'] })
    const streamed = await app.request('/upload', {
      method: 'POST',
      body: streamedBody(MAX_PAYLOAD_BYTES + 1).body,
      duplex: 'half',
    } as RequestInit)
    const declared = await app.request('/upload', {
      method: 'POST',
      headers: { 'content-length': String(MAX_PAYLOAD_BYTES + 1) },
      body: 'x',
    })
    for (const res of [streamed, declared]) {
      expect(res.status).toBe(413)
      expect(res.headers.get('connection')).toBe('close')
      expect(await res.json()).toEqual({ message: 'Request Entity Too Large' })
    }
    expect(invoker.calls).toHaveLength(0)
  })
})

describe('the function result', () => {
  it('maps statusCode, headers, multiValueHeaders and cookies onto the response', async () => {
    const { app, invoker } = setup({ hello: ['GET /hello'] })
    invoker.respond(() => ({
      payload: JSON.stringify({
        statusCode: 201,
        headers: { 'content-type': 'text/html', 'x-count': 3 },
        multiValueHeaders: { 'x-multi': ['a', 'b'] },
        cookies: ['session=abc; HttpOnly', 'theme=dark'],
        body: '<p>created</p>',
      }),
    }))
    const res = await app.request('/hello')
    expect(res.status).toBe(201)
    expect(res.headers.get('content-type')).toBe('text/html')
    expect(res.headers.get('x-count')).toBe('3')
    expect(res.headers.get('x-multi')).toBe('a, b')
    expect(res.headers.getSetCookie()).toEqual(['session=abc; HttpOnly', 'theme=dark'])
    expect(res.headers.get('apigw-requestid')).toBe(invoker.calls[0]?.options?.requestId)
    expect(await res.text()).toBe('<p>created</p>')
  })

  it('decodes a base64 body when isBase64Encoded is true', async () => {
    const { app, invoker } = setup({ image: ['GET /image'] })
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff])
    invoker.respond(() => ({
      payload: JSON.stringify({
        statusCode: 200,
        headers: { 'content-type': 'image/png' },
        body: Buffer.from(bytes).toString('base64'),
        isBase64Encoded: true,
      }),
    }))
    const res = await app.request('/image')
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes)
  })

  it.each([
    ['a string', '"hello"'],
    ['an object without statusCode', '{"message":"hi","nested":{"statusCode":1}}'],
    ['null', 'null'],
  ])('sends %s as JSON with status 200', async (_, payload) => {
    const { app, invoker } = setup({ hello: ['GET /hello'] })
    invoker.respond(() => ({ payload }))
    const res = await app.request('/hello')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.text()).toBe(payload)
  })

  it('answers 500 for a result API Gateway could not turn into a response', async () => {
    const { app, invoker } = setup({ hello: ['GET /hello'] })
    invoker.respond(() => ({ payload: '{"statusCode":"lots"}' }))
    const res = await app.request('/hello')
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual({ message: 'Internal Server Error' })
  })

  it.each([100, 101, 150, 199, 600])('answers 500 for the non-final status code %i', async (statusCode) => {
    const { app, invoker } = setup({ hello: ['GET /hello'] })
    invoker.respond(() => ({ payload: JSON.stringify({ statusCode, body: 'x' }) }))
    const res = await app.request('/hello')
    expect(res.status).toBe(500)
  })

  it("drops the function's message-framing headers, which API Gateway sets itself", async () => {
    const { app, invoker } = setup({ hello: ['GET /hello'] })
    invoker.respond(() => ({
      payload: JSON.stringify({
        statusCode: 200,
        headers: {
          'Content-Length': '2',
          'transfer-encoding': 'chunked',
          connection: 'upgrade',
          upgrade: 'h2c',
          'x-kept': 'yes',
        },
        multiValueHeaders: { 'keep-alive': ['timeout=1'], 'x-multi': ['a', 'b'] },
        body: 'héllo wörld',
      }),
    }))
    const res = await app.request('/hello')
    expect(res.status).toBe(200)
    for (const name of ['content-length', 'transfer-encoding', 'connection', 'upgrade', 'keep-alive']) {
      expect(res.headers.get(name)).toBeNull()
    }
    expect(res.headers.get('x-kept')).toBe('yes')
    expect(res.headers.get('x-multi')).toBe('a, b')
    expect(await res.text()).toBe('héllo wörld')
  })

  it('answers 502 for a function error and 504 for a timeout', async () => {
    const { app, invoker } = setup({ hello: ['GET /hello'] })
    invoker.respond(() => ({ functionError: true, errorType: 'TypeError' }))
    const failed = await app.request('/hello')
    invoker.respond(() => ({ functionError: true, errorType: ErrorType.Timeout }))
    const timedOut = await app.request('/hello')
    expect(failed.status).toBe(502)
    expect(await failed.json()).toEqual({ message: 'Internal Server Error' })
    expect(timedOut.status).toBe(504)
    expect(await timedOut.json()).toEqual({ message: 'Endpoint request timed out' })
  })

  it('answers 429 Too Many Requests when the function is throttled', async () => {
    const { app, invoker } = setup({ hello: ['GET /hello'] })
    invoker.respond(() => {
      throw serviceError(ErrorType.TooManyRequests, 'Rate Exceeded.', { reason: 'ConcurrentInvocationLimitExceeded' })
    })
    const res = await app.request('/hello')
    expect(res.status).toBe(429)
    expect(await res.json()).toEqual({ message: 'Too Many Requests' })
  })

  it('answers another service error with its own status and message', async () => {
    const { app, invoker } = setup({ hello: ['GET /hello'] })
    invoker.respond(() => {
      throw serviceError(ErrorType.ServiceUnavailable, 'The host is closing')
    })
    const res = await app.request('/hello')
    expect(res.status).toBe(503)
    expect(await res.json()).toEqual({ message: 'The host is closing' })
  })
})
