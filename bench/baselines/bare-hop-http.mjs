import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { listening } from '../lib/servers.mjs'
import { PullLoop } from './pull-loop.mjs'

const moduleUrl = new URL('../fixtures/noop.mjs', import.meta.url).href

/**
 * The least an HTTP server that runs its handler in worker threads can
 * cost: the bare Hono route, but handing the body to the bare pull loop
 * and answering what it returns. Set beside the bare Hono route, it prices
 * the thread hop alone; set beside the Invoke API, everything lambdalet
 * adds to that hop (the host, the gateway, the logs).
 */
export async function startBareHopServer(path, environments) {
  const loop = await PullLoop.start(moduleUrl, environments)
  const app = new Hono()
  app.post(path, async (c) => {
    const body = await loop.invokeRaw(await c.req.text())
    return c.body(body, 200, { 'content-type': 'application/json' })
  })
  const server = await listening(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }))
  return { url: server.url, close: () => Promise.all([server.close(), loop.close()]) }
}
