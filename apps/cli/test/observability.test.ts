import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/start-server.js'
import { fixture, startTestServer } from './helpers.js'

describe('/healthz and /metrics on the real host', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startTestServer({
      functions: { hello: fixture('hello.mjs'), fail: fixture('fail.mjs') },
    })
  })
  afterAll(() => server.close())

  const invoke = (name: string) =>
    fetch(`${server.url}/2015-03-31/functions/${name}/invocations`, { method: 'POST', body: '{}' })

  it('reports ready', async () => {
    const response = await fetch(`${server.url}/healthz`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ready' })
  })

  it('counts invocations, errors and cold starts per function in the Prometheus format', async () => {
    for (let i = 0; i < 3; i++) expect((await invoke('hello')).status).toBe(200)
    expect((await invoke('fail')).headers.get('x-amz-function-error')).toBe('Unhandled')
    const response = await fetch(`${server.url}/metrics`)
    expect(response.headers.get('content-type')).toContain('text/plain')
    const text = await response.text()
    const value = (metric: string) => {
      const line = text.split('\n').find((l) => l.startsWith(metric + ' '))
      return line === undefined ? undefined : Number(line.slice(metric.length + 1))
    }
    expect(value('lambdalet_invocations_total{function="hello"}')).toBe(3)
    expect(value('lambdalet_errors_total{function="hello"}')).toBe(0)
    expect(value('lambdalet_invocations_total{function="fail"}')).toBe(1)
    expect(value('lambdalet_errors_total{function="fail"}')).toBe(1)
    expect(value('lambdalet_cold_starts_total{function="hello"}')).toBe(1)
    expect(value('lambdalet_duration_milliseconds_count{function="hello"}')).toBe(3)
    expect(value('lambdalet_duration_milliseconds_bucket{function="hello",le="+Inf"}')).toBe(3)
    expect(value('lambdalet_concurrent_executions')).toBe(0)
  })
})
