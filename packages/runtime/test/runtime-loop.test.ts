import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { MessageChannel, Worker } from 'node:worker_threads'
import {
  type HostMessage,
  type LogMessage,
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
function start(handler: string, settings: Partial<RuntimeConfig> = {}) {
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
    logFormat: 'Text',
    logLevel: 'TRACE',
    logBudgetBytes: 8 * 1024 * 1024,
    ...settings,
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
  /** Every log line received so far, in order. */
  const lines = () => received.filter((m): m is LogMessage => m.type === 'log').flatMap((m) => m.lines)
  let lineCursor = 0
  /** The next log line, however the runtime batched them (not to be mixed with `next('log')`). */
  const nextLine = async (): Promise<LogMessage['lines'][number]> => {
    for (;;) {
      const line = lines()[lineCursor]
      if (line !== undefined) {
        lineCursor++
        return line
      }
      await new Promise<void>((resolve) => waiters.push(resolve))
    }
  }
  return { next, send, port: port1, types, received, lines, nextLine }
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
    expect(await loop.next('log')).toMatchObject({ requestId: 'r1', lines: [{ level: 'INFO', message: 'handling 1' }] })
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

describe('function logs in the runtime', () => {
  it('makes stdout and stderr writes log lines of the invocation, in order with console lines, before its answer', async () => {
    const loop = start('logging.mjs')
    await loop.next('next')
    loop.send(invoke('m1', { mode: 'mixed' }))
    await loop.next('response')
    const logs = loop.received.filter((m): m is LogMessage => m.type === 'log')
    expect(logs.every((m) => m.requestId === 'm1')).toBe(true)
    expect(loop.lines().map((l) => [l.level, l.message, l.raw ?? false])).toEqual([
      ['INFO', 'console one', false],
      ['INFO', 'stdout two', true],
      ['INFO', 'stdout three', true],
      ['WARN', 'console four', false],
      ['ERROR', 'stderr five', true],
      ['INFO', 'partial six', true],
    ])
    // Every line arrived before the answer.
    expect(loop.types.lastIndexOf('log')).toBeLessThan(loop.types.indexOf('response'))
  })

  it('sends the lines of one turn in a few batches, not one message per line', async () => {
    const loop = start('logging.mjs')
    await loop.next('next')
    loop.send(invoke('b1', { mode: 'many', lines: 2000 }))
    await loop.next('response')
    expect(loop.lines()).toHaveLength(2000)
    expect(loop.lines().at(-1)?.message).toBe('line 1999 ')
    expect(loop.types.filter((type) => type === 'log').length).toBeLessThanOrEqual(2)
  })

  it('drops the lines past the invocation’s log budget and says how many in one line', async () => {
    const loop = start('logging.mjs', { logBudgetBytes: 10_000 })
    await loop.next('next')
    // 100 lines of about 1 KB: 9 fit in 10,000 bytes.
    loop.send(invoke('d1', { mode: 'many', lines: 100, size: 1000 }))
    await loop.next('response')
    const lines = loop.lines()
    expect(lines).toHaveLength(10)
    expect(lines[8]?.message).toMatch(/^line 8 x{1000}$/)
    expect(lines[9]).toMatchObject({
      level: 'WARN',
      message: 'lambdalet: dropped 91 log lines: this invocation logged more than its budget of 10000 bytes',
    })
    // The next invocation has a budget of its own.
    loop.send(invoke('d2', { mode: 'many', lines: 2, size: 10 }))
    await loop.next('response')
    expect(
      loop
        .lines()
        .slice(10)
        .map((l) => l.message),
    ).toEqual([`line 0 ${'x'.repeat(10)}`, `line 1 ${'x'.repeat(10)}`])
  })

  it('writes JSON lines in Lambda’s shape and drops console calls below AWS_LAMBDA_LOG_LEVEL', async () => {
    const loop = start('logging.mjs', { logFormat: 'JSON', logLevel: 'INFO' })
    await loop.next('next')
    loop.send(invoke('j1', { mode: 'levels' }))
    await loop.next('response')
    const lines = loop.lines()
    expect(lines.every((line) => line.raw === true)).toBe(true)
    const records = lines.map((line) => JSON.parse(line.message) as Record<string, unknown>)
    expect(records.map((r) => r['level'] ?? r['msg'])).toEqual(['INFO', 'WARN', 'ERROR', 50])
    expect(records[0]).toEqual({
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      level: 'INFO',
      requestId: 'j1',
      message: 'info line',
    })
    expect(records[1]).toMatchObject({ message: 'warn line { n: 1 }' })
    expect(records[2]).toMatchObject({
      message: { errorType: 'TypeError', errorMessage: 'error line', stackTrace: expect.any(Array) },
    })
    expect(lines[3]?.level).toBe('ERROR')
  })

  it('logs a function error as Lambda’s runtime does, in text and in JSON', async () => {
    const text = start('logging.mjs')
    await text.next('next')
    text.send(invoke('e1', { mode: 'throw' }))
    await text.next('error')
    const [line] = text.lines()
    expect(line?.level).toBe('ERROR')
    const [label, json] = (line?.message ?? '').split('\t')
    expect(label).toBe('Invoke Error ')
    expect(JSON.parse(json as string)).toEqual({
      errorType: 'RangeError',
      errorMessage: 'out of range',
      stack: expect.arrayContaining(['RangeError: out of range']),
    })
    await worker?.terminate()
    const structured = start('logging.mjs', { logFormat: 'JSON', logLevel: 'INFO' })
    await structured.next('next')
    structured.send(invoke('e2', { mode: 'throw' }))
    await structured.next('error')
    expect(JSON.parse(structured.lines()[0]?.message ?? '')).toMatchObject({
      level: 'ERROR',
      requestId: 'e2',
      message: 'Invoke Error',
      errorType: 'RangeError',
      errorMessage: 'out of range',
      stackTrace: expect.arrayContaining(['RangeError: out of range']),
    })
  })

  it('measures the function’s own duration and sends it with the answer', async () => {
    const loop = start('logging.mjs')
    await loop.next('next')
    loop.send(invoke('t1', { mode: 'sleep', ms: 100 }))
    const slept = await loop.next('response')
    expect(slept).toMatchObject({ body: '"slept"' })
    const duration = (slept as { durationMs: number }).durationMs
    expect(duration).toBeGreaterThanOrEqual(99)
    expect(duration).toBeLessThan(5_000)
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
      expect(await loop.nextLine()).toMatchObject({ message: `write ${n} returned false` })
      expect(await loop.nextLine()).toMatchObject({ message: 'still waiting: true' })
      loop.send({ type: 'stream-credit', requestId: 's1', bytes: 20 * 1024 })
      expect(await loop.nextLine()).toMatchObject({ message: `drained ${n}` })
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
    expect(await loop.nextLine()).toMatchObject({
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
