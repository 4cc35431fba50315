import { ErrorType } from '@lambdalet/protocol'
import { describe, expect, it } from 'vitest'
import { fakeInvoker } from '../test/fake-invoker.js'
import { createGateway } from './create-gateway.js'
import type { GatewayLogRecord } from './logger.js'

function setup(routes: Record<string, string[]>, result: unknown = { statusCode: 200, body: 'ok' }) {
  const invoker = fakeInvoker(Object.keys(routes))
  invoker.respond(() => ({ payload: JSON.stringify(result) }))
  const logs: GatewayLogRecord[] = []
  const payloadFormatVersions = Object.fromEntries(Object.keys(routes).map((name) => [name, '1.0' as const]))
  const app = createGateway(invoker, { routes, payloadFormatVersions, logger: (record) => logs.push(record) })
  return { app, invoker, logs }
}

describe('payload format 1.0 events', () => {
  it('sends the REST API shape: resource, path, httpMethod, both header maps, both query maps', async () => {
    const { app, invoker } = setup({ users: ['ANY /users/{id}'] })
    await app.request('/users/42?tag=a&tag=b&q=x', {
      method: 'PUT',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json', 'user-agent': 'test/1', cookie: 'a=1; b=2' },
    })
    const event = invoker.event()
    expect(event).toMatchObject({
      version: '1.0',
      resource: '/users/{id}',
      path: '/users/42',
      httpMethod: 'PUT',
      queryStringParameters: { tag: 'b', q: 'x' },
      multiValueQueryStringParameters: { tag: ['a', 'b'], q: ['x'] },
      pathParameters: { id: '42' },
      stageVariables: null,
      body: '{"a":1}',
      isBase64Encoded: false,
    })
    expect(event.headers).toMatchObject({ 'content-type': 'application/json', cookie: 'a=1; b=2' })
    expect(event.multiValueHeaders).toMatchObject({ 'content-type': ['application/json'], cookie: ['a=1; b=2'] })
    expect(event).not.toHaveProperty('cookies')
    expect(event).not.toHaveProperty('rawPath')
    expect(event.requestContext).toMatchObject({
      accountId: '000000000000',
      apiId: 'lambdalet',
      httpMethod: 'PUT',
      path: '/users/42',
      resourcePath: '/users/{id}',
      stage: '$default',
      identity: { sourceIp: '127.0.0.1', userAgent: 'test/1', user: null, cognitoIdentityId: null },
    })
    expect(event.requestContext.requestId).toBe(invoker.calls[0]?.options?.requestId)
    expect(event.requestContext.requestTime).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/)
    expect(typeof event.requestContext.requestTimeEpoch).toBe('number')
  })

  it('sends null for an absent query, path parameters and body', async () => {
    const { app, invoker } = setup({ hello: ['GET /hello'] })
    await app.request('/hello')
    expect(invoker.event()).toMatchObject({
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      body: null,
      isBase64Encoded: false,
    })
  })

  it("reports the request's path as the resource of the $default route", async () => {
    const { app, invoker } = setup({ fallback: ['$default'] })
    await app.request('/any/where')
    expect(invoker.event()).toMatchObject({ resource: '/any/where', path: '/any/where' })
  })

  it('base64-encodes a binary body', async () => {
    const { app, invoker } = setup({ upload: ['POST /upload'] })
    await app.request('/upload', {
      method: 'POST',
      body: new Uint8Array([0, 255, 1]),
      headers: { 'content-type': 'image/png' },
    })
    expect(invoker.event()).toMatchObject({ body: 'AP8B', isBase64Encoded: true })
  })

  it('keeps functions without the option on 2.0', async () => {
    const invoker = fakeInvoker(['old', 'new'])
    invoker.respond(() => ({ payload: '{"statusCode":200}' }))
    const app = createGateway(invoker, {
      routes: { old: ['GET /old'], new: ['GET /new'] },
      payloadFormatVersions: { old: '1.0' },
    })
    await app.request('/old')
    await app.request('/new')
    expect(invoker.event(0).version).toBe('1.0')
    expect(invoker.event(1).version).toBe('2.0')
  })
})

describe('payload format 1.0 results', () => {
  it('sends statusCode, headers and every multiValueHeaders value', async () => {
    const { app } = setup(
      { hello: ['GET /hello'] },
      {
        statusCode: 201,
        headers: { 'content-type': 'text/plain', 'x-one': 1, 'x-both': 'from headers' },
        multiValueHeaders: { 'set-cookie': ['a=1', 'b=2'], 'X-Both': ['from multi'] },
        body: 'created',
      },
    )
    const res = await app.request('/hello')
    expect(res.status).toBe(201)
    expect(await res.text()).toBe('created')
    expect(res.headers.get('content-type')).toBe('text/plain')
    expect(res.headers.get('x-one')).toBe('1')
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2'])
    // A name in both maps keeps only the multiValueHeaders values, as API Gateway merges them.
    expect(res.headers.get('x-both')).toBe('from multi')
  })

  it('decodes a base64 body', async () => {
    const { app } = setup({ hello: ['GET /hello'] }, { statusCode: 200, body: 'AP8B', isBase64Encoded: true })
    const res = await app.request('/hello')
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array([0, 255, 1]))
  })

  it.each([
    [
      'a result without statusCode',
      { body: 'hello' },
      'expected statusCode to be an integer from 200 to 599, got nothing',
    ],
    ['a plain string', 'hello', 'expected an object with a statusCode, got "hello"'],
    ['null', null, 'expected an object with a statusCode, got null'],
    ['an object body', { statusCode: 200, body: { a: 1 } }, 'expected body to be a string, got {"a":1}'],
    [
      'a statusCode as a string',
      { statusCode: '200' },
      'expected statusCode to be an integer from 200 to 599, got "200"',
    ],
    [
      'a multiValueHeaders entry that is not an array',
      { statusCode: 200, multiValueHeaders: { a: 'b' } },
      'expected multiValueHeaders.a to be an array of strings, got "b"',
    ],
  ])('answers 502 for %s and logs why', async (_, result, reason) => {
    const { app, invoker, logs } = setup({ hello: ['GET /hello'] }, result)
    const res = await app.request('/hello')
    expect(res.status).toBe(502)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.json()).toEqual({ message: 'Internal server error' })
    expect(logs).toEqual([
      {
        level: 'error',
        message: 'Malformed Lambda proxy response',
        functionName: 'hello',
        requestId: invoker.calls[0]?.options?.requestId,
        errorMessage: reason,
      },
    ])
  })

  it('answers 502 for a function error and 504 for a timeout', async () => {
    const { app, invoker, logs } = setup({ hello: ['GET /hello'] })
    invoker.respond(() => ({ payload: '{}', functionError: true, errorType: 'TypeError' }))
    const failed = await app.request('/hello')
    expect(failed.status).toBe(502)
    expect(await failed.json()).toEqual({ message: 'Internal server error' })
    invoker.respond(() => ({ payload: '{}', functionError: true, errorType: ErrorType.Timeout }))
    const timedOut = await app.request('/hello')
    expect(timedOut.status).toBe(504)
    expect(await timedOut.json()).toEqual({ message: 'Endpoint request timed out' })
    expect(logs).toEqual([])
  })
})

describe('the payloadFormatVersions option', () => {
  it('refuses an unknown version or function', () => {
    const invoker = fakeInvoker(['hello'])
    expect(() => createGateway(invoker, { payloadFormatVersions: { hello: '3.0' as '1.0' } })).toThrow(
      'Expected `payloadFormatVersions.hello` to be "1.0" or "2.0", got "3.0"',
    )
    expect(() => createGateway(invoker, { payloadFormatVersions: { nope: '1.0' } })).toThrow(
      'Expected `payloadFormatVersions` to name known functions, got "nope"',
    )
  })
})
