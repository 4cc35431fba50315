import { connect, type Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { invokePath, spawnServe } from './helpers.js'

/** A raw connection that sends requests one after another and reads each answer (by its Content-Length). */
function rawConnection(port: number) {
  const socket: Socket = connect(port, '127.0.0.1')
  socket.setEncoding('latin1')
  let received = ''
  let ended = false
  let wake: (() => void) | null = null
  socket.on('data', (chunk: string) => {
    received += chunk
    wake?.()
  })
  const onEnd = (): void => {
    ended = true
    wake?.()
  }
  socket.on('end', onEnd)
  socket.on('close', onEnd)
  socket.on('error', onEnd)
  const next = (): Promise<void> => new Promise((resolve) => (wake = resolve))
  return {
    socket,
    /** Resolves with the next whole response, or null if the server closed first. */
    async exchange(request: string): Promise<string | null> {
      socket.write(request)
      for (;;) {
        const headEnd = received.indexOf('\r\n\r\n')
        if (headEnd !== -1) {
          const length = Number(/\r\ncontent-length: *(\d+)/i.exec(received.slice(0, headEnd))?.[1] ?? 0)
          if (received.length >= headEnd + 4 + length) {
            const response = received.slice(0, headEnd + 4 + length)
            received = received.slice(response.length)
            return response
          }
        }
        if (ended) return null
        await next()
      }
    },
    /** Resolves once `text` has arrived. */
    async waitFor(text: string): Promise<void> {
      while (!received.includes(text)) {
        if (ended) throw new Error(`connection closed before ${JSON.stringify(text)}`)
        await next()
      }
    },
  }
}

const post = (name: string, body: string): string =>
  `POST ${invokePath(name)} HTTP/1.1\r\nHost: x\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`

// The real CLI in a child process, with test/fixtures as the functions folder.
describe('graceful shutdown', () => {
  it('finishes in-flight requests on SIGTERM, refuses new ones and exits with 0', async () => {
    const serve = spawnServe(['.', '--port', '0'])
    const port = await serve.port
    const url = `http://127.0.0.1:${port}`
    const slow = Array.from({ length: 4 }, () =>
      fetch(`${url}${invokePath('slow')}`, { method: 'POST', body: '{"ms":800}' }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as unknown,
      })),
    )
    // All four have started once their START lines are out.
    await serve.waitFor(/^\[slow\] START RequestId/, 4)
    serve.child.kill('SIGTERM')
    await serve.waitFor(/SIGTERM: shutting down/)

    // The listener is closed: a new connection is refused (or, if it raced in, told 503).
    const late = await fetch(`${url}/healthz`).then(
      (response) => response.status,
      (error: Error) => (error.cause as NodeJS.ErrnoException | undefined)?.code ?? error.message,
    )
    expect([503, 'ECONNREFUSED']).toContain(late)

    const results = await Promise.all(slow)
    expect(results).toEqual(Array.from({ length: 4 }, () => ({ status: 200, body: { sleptMs: 800 } })))
    expect(await serve.exited).toEqual({ code: 0, signal: null })
    expect(serve.lines.at(-1)).toBe('stopped')
  })

  it('exits with 0 at once when a client that sent its headers still owes its body', async () => {
    const serve = spawnServe(['.', '--port', '0', '--drain-timeout', '20s'])
    const port = await serve.port
    const stalled = rawConnection(port)
    // The server says `100 Continue` once it has the headers and hands the request on.
    stalled.socket.write(
      `POST ${invokePath('hello')} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n`,
    )
    await stalled.waitFor('100 Continue')
    const started = Date.now()
    serve.child.kill('SIGTERM')
    // No function runs for it: nothing to wait 20 s for.
    expect(await serve.exited).toEqual({ code: 0, signal: null })
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(serve.lines.at(-1)).toBe('stopped')
    stalled.socket.destroy()
  })

  it('answers a request on a kept-alive connection after SIGTERM with 503 and Connection: close', async () => {
    const serve = spawnServe(['.', '--port', '0'])
    const port = await serve.port
    // In flight through the whole test, so the drain lasts.
    const busy = rawConnection(port)
    const slow = busy.exchange(post('slow', '{"ms":1500}'))
    await serve.waitFor(/^\[slow\] START RequestId/)
    const kept = rawConnection(port)
    expect(await kept.exchange(post('hello', '{"name":"first"}'))).toMatch(/^HTTP\/1\.1 200 /)
    serve.child.kill('SIGTERM')
    await serve.waitFor(/SIGTERM: shutting down/)

    const late = await kept.exchange(post('hello', '{"name":"late"}'))
    expect(late).toMatch(/^HTTP\/1\.1 503 /)
    expect(late).toMatch(/\r\nconnection: close\r\n/i)
    expect(late).toContain('ServiceException')
    const answered = await slow
    expect(answered).toMatch(/^HTTP\/1\.1 200 /)
    expect(answered).toMatch(/\{"sleptMs":1500\}$/)
    expect(await serve.exited).toEqual({ code: 0, signal: null })
    kept.socket.destroy()
    busy.socket.destroy()
  })

  it('exits at once on a second signal', async () => {
    const serve = spawnServe(['.', '--port', '0', '--drain-timeout', '30s'])
    const port = await serve.port
    const pending = fetch(`http://127.0.0.1:${port}${invokePath('slow')}`, {
      method: 'POST',
      body: '{"ms":20000}',
    }).catch(() => 'cut off')
    await serve.waitFor(/^\[slow\] START RequestId/)
    const started = Date.now()
    serve.child.kill('SIGINT')
    await serve.waitFor(/SIGINT: shutting down/)
    serve.child.kill('SIGINT')
    expect(await serve.exited).toEqual({ code: 130, signal: null })
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(await pending).toBe('cut off')
  })
})

describe('lambdalet serve --log-format json', () => {
  it('writes only JSON lines on stdout, from start to stop', async () => {
    const serve = spawnServe(['.', '--port', '0', '--log-format', 'json'])
    const port = await serve.port
    const response = await fetch(`http://127.0.0.1:${port}${invokePath('noisy')}`, { method: 'POST', body: '{}' })
    expect(response.status).toBe(200)
    await serve.waitFor(/"kind":"report"/)
    serve.child.kill('SIGTERM')
    expect((await serve.exited).code).toBe(0)
    const records = serve.lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(records.find((record) => record['kind'] === 'function')).toMatchObject({
      functionName: 'noisy',
      message: expect.stringContaining('\u001b[31m'),
    })
    expect(records.find((record) => record['functionName'] === 'hello' && record['kind'] === 'server')).toMatchObject({
      invokeUrl: `http://127.0.0.1:${port}${invokePath('hello')}`,
    })
    expect(records.at(-1)).toMatchObject({ kind: 'server', message: 'stopped' })
  })
})
