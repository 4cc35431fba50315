import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/start-server.js'
import { fixture, startTestServer } from './helpers.js'

describe('a Middy stack behind an HTTP route', () => {
  let server: RunningServer

  beforeAll(async () => {
    server = await startTestServer({
      functions: { greet: fixture('middy-app.mjs', { routes: ['POST /greet'], timeoutMs: 5000 }) },
    })
  })
  afterAll(() => server?.close())

  const post = (body: string, contentType: string) =>
    fetch(`${server.url}/greet`, { method: 'POST', headers: { 'Content-Type': contentType }, body })

  it('runs the handler with the JSON body parsed and the context Middy reads, and answers its status', async () => {
    const response = await post(JSON.stringify({ name: 'middy' }), 'application/json; charset=utf-8')
    expect(response.status).toBe(201)
    const body = (await response.json()) as Record<string, unknown>
    expect(body).toMatchObject({ greeting: 'hello middy', contentType: 'application/json; charset=utf-8' })
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(body.remainingMs).toBeGreaterThan(0)
    expect(body.remainingMs).toBeLessThanOrEqual(5000)
  })

  it('turns an HTTP error thrown by the handler into its response', async () => {
    const response = await post('{}', 'application/json')
    expect(response.status).toBe(422)
    expect(await response.text()).toBe('name is required')
  })

  it('answers 415 from the JSON body parser for a body that is not JSON', async () => {
    const response = await post('name=middy', 'application/x-www-form-urlencoded')
    expect(response.status).toBe(415)
  })
})
