import { request as httpRequest } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/start-server.js'
import { fixture, startTestServer } from './helpers.js'

interface Described {
  method: string
  rawPath: string
  rawQueryString: string
  queryStringParameters?: Record<string, string>
  pathParameters?: Record<string, string>
  cookies?: string[]
  headers: Record<string, string>
  body?: string
  isBase64Encoded: boolean
}

describe('HTTP routes', () => {
  let server: RunningServer

  beforeAll(async () => {
    server = await startTestServer({
      functions: {
        items: fixture('http.mjs', { routes: ['GET /items', 'POST /items', 'ANY /items/{id}', 'GET /files/{path+}'] }),
        hello: fixture('hello.mjs', { routes: ['ANY /hello', 'ANY /hello/{proxy+}'] }),
      },
    })
  })
  afterAll(() => server?.close())

  const request = (path: string, init?: RequestInit): Promise<Response> => fetch(`${server.url}${path}`, init)

  it('passes the method, path parameters, query and cookies to the handler', async () => {
    const response = await request('/items/42?x=1&x=2&name=J%C3%BCrgen', {
      method: 'PATCH',
      headers: { cookie: 'a=1; b=two' },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('x-route-key')).toBe('ANY /items/{id}')
    const event = (await response.json()) as Described
    expect(event.method).toBe('PATCH')
    expect(event.rawPath).toBe('/items/42')
    expect(event.pathParameters).toEqual({ id: '42' })
    expect(event.queryStringParameters).toEqual({ x: '1,2', name: 'Jürgen' })
    expect(event.cookies).toEqual(['a=1', 'b=two'])
  })

  it("joins a repeated request header with ',' as API Gateway does", async () => {
    const event = await new Promise<Described>((resolve, reject) => {
      const req = httpRequest(`${server.url}/items/7`, { headers: { 'x-multi': ['a', 'b, c'] } }, (res) => {
        let text = ''
        res
          .setEncoding('utf8')
          .on('data', (chunk: string) => (text += chunk))
          .on('end', () => resolve(JSON.parse(text)))
      })
      req.on('error', reject).end()
    })
    expect(event.headers['x-multi']).toBe('a,b, c')
  })

  it('picks the route by method and matches greedy paths', async () => {
    const created = await request('/items', {
      method: 'POST',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json' },
    })
    expect(created.headers.get('x-route-key')).toBe('POST /items')
    expect(((await created.json()) as Described).body).toBe('{"a":1}')

    const file = (await (await request('/files/a/b/c.txt')).json()) as Described
    expect(file.pathParameters).toEqual({ path: 'a/b/c.txt' })

    expect((await request('/items', { method: 'DELETE' })).status).toBe(404)
    expect((await request('/nowhere')).status).toBe(404)
  })

  it('sends binary bodies base64-encoded and returns binary results as bytes', async () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i)
    const echoed = await request('/items/bin?echo=binary', {
      method: 'PUT',
      body: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    })
    expect(echoed.status).toBe(200)
    expect(echoed.headers.get('content-type')).toBe('application/octet-stream')
    expect(new Uint8Array(await echoed.arrayBuffer())).toEqual(bytes)

    const described = (await (
      await request('/items/bin', { method: 'PUT', body: bytes, headers: { 'content-type': 'image/png' } })
    ).json()) as Described
    expect(described.isBase64Encoded).toBe(true)
    expect(Buffer.from(described.body ?? '', 'base64')).toEqual(Buffer.from(bytes))
  })

  it('answers with the status code, headers and cookies the handler returns', async () => {
    const response = await request('/items/1?status=418&cookie=session%3Dabc%3B%20HttpOnly')
    expect(response.status).toBe(418)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.get('set-cookie')).toBe('session=abc; HttpOnly')
    expect(response.headers.get('apigw-requestid')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('serves a plain result as a 200 JSON response', async () => {
    const response = await request('/hello/anything/below')
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ functionName: 'hello' })
  })

  it('reports readiness on /healthz', async () => {
    const response = await request('/healthz')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ready' })
  })
})

describe('with an API key', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startTestServer({
      functions: { hello: fixture('hello.mjs', { routes: ['GET /hello'] }) },
      apiKey: 'test-key_123',
    })
  })
  afterAll(() => server?.close())

  it('requires the bearer token everywhere but /healthz', async () => {
    expect((await fetch(`${server.url}/hello`)).status).toBe(401)
    expect((await fetch(`${server.url}/hello`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(403)
    expect((await fetch(`${server.url}/hello`, { headers: { authorization: 'Bearer test-key_123' } })).status).toBe(200)
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
  })
})
