import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/start-server.js'
import { fixture, startTestServer } from './helpers.js'

// The libraries people deploy to Lambda, unchanged, in both payload formats:
// each reads its own format's event and answers in its own format's result.
const mounts = [
  ['Express through serverless-http', 'express-app.mjs', 'express-v2', '2.0'],
  ['Express through serverless-http', 'express-app.mjs', 'express-v1', '1.0'],
  ['Hono through hono/aws-lambda', 'hono-app.mjs', 'hono-v2', '2.0'],
  ['Hono through hono/aws-lambda', 'hono-app.mjs', 'hono-v1', '1.0'],
] as const

describe('web frameworks behind HTTP routes', () => {
  let server: RunningServer

  beforeAll(async () => {
    const functions = Object.fromEntries(
      mounts.map(([, file, mount, payloadFormatVersion]) => [
        mount,
        fixture(file, { routes: [`ANY /${mount}/{proxy+}`], payloadFormatVersion }),
      ]),
    )
    server = await startTestServer({
      functions: {
        ...functions,
        'plain-v2': fixture('hello.mjs', { routes: ['GET /plain-v2'] }),
        'plain-v1': fixture('hello.mjs', { routes: ['GET /plain-v1'], payloadFormatVersion: '1.0' }),
      },
    })
  })
  afterAll(() => server?.close())

  describe.each(mounts)('%s, mounted at /%s, payload format %s', (_, __, mount, format) => {
    it('routes by path and passes path, repeated query values and headers', async () => {
      const response = await fetch(`${server.url}/${mount}/users/42?tag=a&tag=b`, {
        headers: { 'user-agent': 'e2e/1' },
      })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toMatch(/^application\/json/)
      expect(await response.json()).toMatchObject({
        id: '42',
        format,
        method: 'GET',
        path: `/${mount}/users/42`,
        query: { tag: ['a', 'b'] },
        agent: 'e2e/1',
      })
    })

    it('sends every cookie and header the app set', async () => {
      const response = await fetch(`${server.url}/${mount}/users/1`)
      expect(response.headers.getSetCookie().map((cookie) => cookie.split(';')[0])).toEqual([
        'session=abc',
        'theme=dark',
      ])
      expect(response.headers.get('x-powered-by-test')).toBe(mount.split('-')[0])
    })

    it('passes a JSON body and answers with the status the app chose', async () => {
      const response = await fetch(`${server.url}/${mount}/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ a: [1, 2] }),
      })
      expect(response.status).toBe(201)
      expect(await response.json()).toEqual({ received: { a: [1, 2] }, contentType: 'application/json' })
    })
  })

  it('infers a 200 from a plain result in 2.0, and answers 502 for it in 1.0 as API Gateway does', async () => {
    const inferred = await fetch(`${server.url}/plain-v2`)
    expect(inferred.status).toBe(200)
    expect(await inferred.json()).toMatchObject({ message: 'Hello, world!' })
    const malformed = await fetch(`${server.url}/plain-v1`)
    expect(malformed.status).toBe(502)
    expect(await malformed.json()).toEqual({ message: 'Internal server error' })
  })
})
