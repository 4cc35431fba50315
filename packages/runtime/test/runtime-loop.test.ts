import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { MessageChannel, Worker } from 'node:worker_threads'
import { type HostMessage, parseHandler, type RuntimeConfig, type RuntimeMessage } from '@lambdalet/protocol'
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
