import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/start-server.js'
import { fixture, invokePath, rawExchange, startTestServer } from './helpers.js'

const MB = 1024 * 1024

describe('bad input on the real socket', () => {
  let server: RunningServer

  beforeAll(async () => {
    server = await startTestServer({
      functions: { hello: fixture('hello.mjs', { routes: ['ANY /hello/{proxy+}'] }) },
      // Shorter than the default 10 s so that the slow client test is quick.
      limits: { headersTimeoutMs: 2_000 },
    })
  })
  afterAll(() => server?.close())

  // After every kind of abuse, a normal invocation still works.
  afterEach(async () => {
    const response = await fetch(`${server.url}${invokePath('hello')}`, { method: 'POST', body: '{"name":"after"}' })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ message: 'Hello, after!' })
  })

  const post = (path: string, body: string): Promise<Response> =>
    fetch(`${server.url}${path}`, { method: 'POST', body })

  it('answers malformed JSON with 400 InvalidRequestContentException', async () => {
    const response = await post(invokePath('hello'), '{"name":')
    expect(response.status).toBe(400)
    expect(response.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException')
  })

  it('answers a payload that is not valid UTF-8 with 400 InvalidRequestContentException', async () => {
    const response = await fetch(`${server.url}${invokePath('hello')}`, {
      method: 'POST',
      body: Buffer.from('{"name":"caf\xe9"}', 'latin1'),
    })
    expect(response.status).toBe(400)
    expect(response.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException')
  })

  it('answers a streaming invocation whose payload is not valid UTF-8 with 400 InvalidRequestContentException', async () => {
    const response = await fetch(`${server.url}/2021-11-15/functions/hello/response-streaming-invocations`, {
      method: 'POST',
      body: Buffer.from('{"name":"caf\xe9"}', 'latin1'),
    })
    expect(response.status).toBe(400)
    expect(response.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException')
  })

  it('refuses a body over 6 MB by its Content-Length with 413, before reading it', async () => {
    const { response, elapsedMs } = await rawExchange(
      server.port,
      `POST ${invokePath('hello')} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${7 * MB}\r\n\r\n{`,
    )
    expect(response).toMatch(/^HTTP\/1\.1 413 /)
    expect(response).toContain('RequestTooLargeException')
    expect(elapsedMs).toBeLessThan(4_000)
  })

  it('refuses a chunked body once it passes 6 MB with 413', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${server.url}${invokePath('hello')}`, {
        method: 'POST',
        headers: { 'transfer-encoding': 'chunked' },
      })
      const chunk = Buffer.alloc(256 * 1024, 0x20)
      let answered = false
      req.on('response', (res) => {
        answered = true
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      // The server may cut the connection while we are still writing.
      req.on('error', (error) => (answered ? undefined : reject(error)))
      let sent = 0
      const pump = (): void => {
        while (!answered && sent < 8 * MB) {
          sent += chunk.length
          if (!req.write(chunk)) return void req.once('drain', pump)
        }
        req.end()
      }
      pump()
    })
    expect(status).toBe(413)
  })

  it.each([
    ['an encoded ../', '..%2F..%2Fetc%2Fpasswd'],
    ['an encoded NUL', 'hel%00lo'],
    ['an encoded escape', 'hel%1B%5B31mlo'],
    ['a newline', 'hel%0Alo'],
  ])('rejects a function name with %s', async (_what, name) => {
    const response = await post(invokePath(name), '{}')
    expect([400, 404]).toContain(response.status)
    expect(response.headers.get('x-amzn-errortype')).toMatch(/InvalidParameterValueException|ResourceNotFoundException/)
  })

  it('does not let a raw ../ in the path reach another function', async () => {
    const { response } = await rawExchange(
      server.port,
      `POST /2015-03-31/functions/hello/../../../etc/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
    )
    expect(response).toMatch(/^HTTP\/1\.1 (400|404) /)
  })

  it('answers headers over 16 KiB with 431', async () => {
    const { response } = await rawExchange(
      server.port,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`,
    )
    expect(response).toMatch(/^HTTP\/1\.1 431 /)
  })

  it('closes the connection of a client that trickles its headers', async () => {
    const started = Date.now()
    const socket = connect(server.port, '127.0.0.1')
    const header = `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(100)}`
    let sent = 0
    const trickle = setInterval(() => {
      if (!socket.destroyed && sent < header.length) socket.write(header[sent++] as string)
    }, 500)
    let received = ''
    socket.setEncoding('latin1').on('data', (chunk: string) => (received += chunk))
    await new Promise<void>((resolve) => {
      socket.on('close', () => resolve())
      socket.on('error', () => {})
    })
    clearInterval(trickle)
    // headersTimeout is 2 s, checked every second.
    expect(Date.now() - started).toBeLessThan(6_000)
    expect(received).toMatch(/^HTTP\/1\.1 408 /)
  })
})
