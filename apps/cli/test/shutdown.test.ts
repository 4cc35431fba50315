import { describe, expect, it } from 'vitest'
import { invokePath, spawnServe } from './helpers.js'

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
