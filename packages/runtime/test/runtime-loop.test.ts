import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { MessageChannel, Worker } from 'node:worker_threads'
import {
  type HostMessage,
  parseHandler,
  type RuntimeConfig,
  type RuntimeMessage,
  type StreamChunkMessage,
} from '@lambdalet/protocol'
import { afterEach, describe, expect, it } from 'vitest'

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url))
let worker: Worker | undefined

afterEach(async () => {
  await worker?.terminate()
  worker = undefined
})

/** Starts the runtime loop in a worker; returns a way to talk to it and read what it says. */
function start(handler: string) {
  const spec = parseHandler(handler, fixtures)
  const config: RuntimeConfig = {
    functionName: 'loop',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:0:function:loop',
    functionVersion: '$LATEST',
    moduleCandidates: spec.candidates,
    exportName: spec.exportName,
    handlerName: handler,
    memoryLimitInMB: 128,
    logGroupName: '/aws/lambda/loop',
    logStreamName: 's',
  }
  const { port1, port2 } = new MessageChannel()
  worker = new Worker(fixtures + 'loop-worker.mjs', { workerData: { port: port2, config }, transferList: [port2] })
  const received: RuntimeMessage[] = []
  /** Every message type in arrival order, kept after `next` has taken a message. */
  const types: Array<RuntimeMessage['type']> = []
  const waiters: Array<() => void> = []
  port1.on('message', (message: RuntimeMessage) => {
    received.push(message)
    types.push(message.type)
    for (const wake of waiters.splice(0)) wake()
  })
  const next = async (type: RuntimeMessage['type']): Promise<RuntimeMessage> => {
    for (;;) {
      const found = received.findIndex((m) => m.type === type)
      if (found !== -1) return received.splice(found, 1)[0]!
      await new Promise<void>((resolve) => waiters.push(resolve))
    }
  }
  const send = (message: HostMessage) => port1.postMessage(message)
  return { next, send, port: port1, types }
}

const invoke = (requestId: string, event: unknown): HostMessage => ({
  type: 'invoke',
  requestId,
  deadlineMs: Date.now() + 3000,
  event: JSON.stringify(event),
})

describe('runtime loop', () => {
  it('asks for work, runs one event per invoke and reports each with its request id', async () => {
    const loop = start('chatty.mjs')
    const ready = await loop.next('next')
    expect(ready).toMatchObject({ type: 'next', initDurationMs: expect.any(Number) })
    loop.send(invoke('r1', { n: 1 }))
    expect(await loop.next('log')).toMatchObject({ requestId: 'r1', level: 'INFO', message: 'handling 1' })
    expect(await loop.next('response')).toMatchObject({ requestId: 'r1', body: '{"n":1,"requestId":"r1"}' })
    loop.send(invoke('r2', { n: 2 }))
    expect(await loop.next('response')).toMatchObject({ requestId: 'r2', body: '{"n":2,"requestId":"r2"}' })
  })

  it('reports an init failure instead of asking for work', async () => {
    const loop = start('missing.mjs')
    expect(await loop.next('init-error')).toMatchObject({ error: { errorType: 'Runtime.ImportModuleError' } })
    // Once the thread is gone its port closes, after delivering everything
    // the runtime posted: a `next` posted at any point would be in `types`.
    const closed = once(loop.port, 'close')
    await worker!.terminate()
    await closed
    expect(loop.types).toEqual(['started', 'init-error'])
  })

  it('flags an event that is not JSON without running the handler', async () => {
    const loop = start('chatty.mjs')
    await loop.next('next')
    loop.send({ ...invoke('bad', null), event: '{oops' } as HostMessage)
    expect(await loop.next('error')).toMatchObject({ requestId: 'bad', invalidEvent: true })
  })
})

describe('runtime loop, streaming handlers', () => {
  const decoder = new TextDecoder()

  it('keeps write() waiting past the high-water mark until the host credits the chunk', async () => {
    const loop = start('streams.mjs#writes')
    await loop.next('next')
    loop.send(invoke('s1', {}))
    expect(await loop.next('stream-start')).toEqual({
      type: 'stream-start',
      requestId: 's1',
      contentType: 'application/octet-stream',
    })
    for (const n of [1, 2, 3]) {
      const chunk = (await loop.next('stream-chunk')) as StreamChunkMessage
      expect(chunk.chunk.byteLength).toBe(20 * 1024)
      expect(decoder.decode(chunk.chunk.subarray(0, 1))).toBe(String(n))
      // 20 KiB is over the default 16 KiB: write() says wait, and the
      // stream does not drain by itself while the host has not taken it.
      expect(await loop.next('log')).toMatchObject({ message: `write ${n} returned false` })
      expect(await loop.next('log')).toMatchObject({ message: 'still waiting: true' })
      loop.send({ type: 'stream-credit', requestId: 's1', bytes: 20 * 1024 })
      expect(await loop.next('log')).toMatchObject({ message: `drained ${n}` })
    }
    expect(await loop.next('stream-end')).toMatchObject({ requestId: 's1' })
  })

  it('writes the HttpResponseStream prelude and 8 NUL bytes first, and refuses a late setContentType', async () => {
    const loop = start('streams.mjs#prelude')
    await loop.next('next')
    loop.send(invoke('s2', {}))
    expect(await loop.next('stream-start')).toMatchObject({
      contentType: 'application/vnd.awslambda.http-integration-response',
    })
    const bytes: Uint8Array[] = []
    for (let i = 0; i < 3; i++) bytes.push(((await loop.next('stream-chunk')) as StreamChunkMessage).chunk)
    const all = Buffer.concat(bytes)
    const prelude = JSON.stringify({ statusCode: 201, headers: { a: 'b' } })
    expect(all.subarray(0, prelude.length).toString()).toBe(prelude)
    expect([...all.subarray(prelude.length, prelude.length + 8)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0])
    expect(all.subarray(prelude.length + 8).toString()).toBe('{"n":1}')
    expect(await loop.next('log')).toMatchObject({
      message: 'Runtime.InvalidStreamingOperation: Cannot set content-type, too late.',
    })
    expect(await loop.next('stream-end')).toMatchObject({ requestId: 's2' })
  })

  it('starts a stream that ends with nothing written', async () => {
    const loop = start('streams.mjs#empty')
    await loop.next('next')
    loop.send(invoke('s3', {}))
    expect(await loop.next('stream-start')).toMatchObject({ contentType: 'application/octet-stream' })
    expect(await loop.next('stream-end')).toMatchObject({ requestId: 's3' })
    expect(loop.types).not.toContain('stream-chunk')
  })

  it('fails init for a streaming mark other than response', async () => {
    const loop = start('streams.mjs#malformed')
    expect(await loop.next('init-error')).toMatchObject({
      error: { errorType: 'Runtime.MalformedStreamingHandler', errorMessage: 'Only response streaming is supported.' },
    })
  })
})
