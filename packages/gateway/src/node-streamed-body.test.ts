import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import type { StreamingInvokeResult } from '@lambdalet/protocol'
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { fakeInvoker } from '../test/fake-invoker.js'
import { createGateway } from './create-gateway.js'

/** A head whose chunks are `count` buffers of `size` bytes, chunk i filled with i, recording which the gateway released. */
function numbered(count: number, size: number) {
  const released: Uint8Array[] = []
  const chunks = Array.from({ length: count }, (_, i) => new Uint8Array(size).fill(i))
  const head: StreamingInvokeResult = {
    streamed: true,
    requestId: 'r-1',
    executedVersion: '$LATEST',
    contentType: 'application/octet-stream',
    body: new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk)
        controller.close()
      },
    }),
    completion: Promise.resolve({}),
    release: (chunk) => void released.push(chunk),
  }
  return { head, chunks, released }
}

/** The gateway on @hono/node-server and a free port, alone or mounted in an app of the embedder's with CORS. */
async function served(head: StreamingInvokeResult, mounted: boolean): Promise<string> {
  const invoker = Object.assign(fakeInvoker(['fn']), { invokeStreamRaw: async () => head })
  const gateway = createGateway(invoker, { routes: { fn: ['GET /fn'] }, logger: () => {} })
  const app = new Hono()
  app.use(cors({ origin: 'https://app.example' }))
  app.route('/', gateway)
  const server = serve({ fetch: mounted ? app.fetch : gateway.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise<void>((resolve) => server.once('listening', resolve))
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Indexes of the 64 KiB chunks of `body` not filled with their index. */
function misnumbered(body: Uint8Array): number[] {
  const wrong: number[] = []
  for (let i = 0; i * 65536 < body.byteLength; i++) {
    if (!body.subarray(i * 65536, (i + 1) * 65536).every((byte) => byte === i)) wrong.push(i)
  }
  return wrong
}

describe('a streamed route written straight to Node’s response', () => {
  it('sends every chunk in order and releases each once written', async () => {
    const { head, chunks, released } = numbered(32, 64 * 1024)
    const url = await served(head, false)
    const response = await fetch(`${url}/fn`)
    const body = new Uint8Array(await response.arrayBuffer())
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/octet-stream')
    expect(body.byteLength).toBe(32 * 64 * 1024)
    expect(misnumbered(body)).toEqual([])
    // The same objects, in order: each released once, after its write
    // (whose callback may run after the client has read the bytes).
    await vi.waitFor(() => expect(released.length).toBe(chunks.length))
    expect(released.every((chunk, i) => chunk === chunks[i])).toBe(true)
  })

  it('leaves a stream to Hono when an embedding app’s middleware wraps the route: its headers apply, nothing is released', async () => {
    const { head, released } = numbered(8, 64 * 1024)
    const url = await served(head, true)
    const response = await fetch(`${url}/fn`, { headers: { origin: 'https://app.example' } })
    const body = new Uint8Array(await response.arrayBuffer())
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example')
    expect(body.byteLength).toBe(8 * 64 * 1024)
    expect(misnumbered(body)).toEqual([])
    expect(released).toEqual([])
  })
})
