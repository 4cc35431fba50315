import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { handler } from '../fixtures/noop.mjs'
import { listening } from '../lib/servers.mjs'

/**
 * The HTTP baseline: Hono on @hono/node-server answering the Invoke API's
 * path by running the same handler inline (event parsed, result
 * stringified), with no host or worker thread in between.
 */
export function startBareServer(path) {
  const app = new Hono()
  app.post(path, async (c) => {
    const result = await handler(JSON.parse(await c.req.text()), {})
    return c.body(JSON.stringify(result), 200, { 'content-type': 'application/json' })
  })
  return listening(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }))
}
