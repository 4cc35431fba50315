import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { request } from 'node:http'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import {
  InvokeWithResponseStreamCommand,
  type InvokeWithResponseStreamCompleteEvent,
  LogType,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/start-server.js'
import { fixture, lambdaClient, startTestServer } from './helpers.js'

// The streaming handlers the host's tests use, steered over a BroadcastChannel:
// the server runs in this process, so its worker threads hear the test.
const hostFixtures = fileURLToPath(new URL('../../../packages/host/test/fixtures/', import.meta.url))
const streaming = (exportName: string, settings = {}) =>
  fixture(`streaming.mjs#${exportName}`, { codeDir: hostFixtures, ...settings })

const decoder = new TextDecoder()

function steering() {
  const name = `stream-${randomUUID()}`
  const channel = new BroadcastChannel(name)
  return { name, next: () => channel.postMessage('next'), close: () => channel.close() }
}

/** Indexes of the `size`-byte chunks of `bytes` not filled with their index % 251 (the `numbered` fixture). */
function misnumbered(bytes: Uint8Array, size: number): number[] {
  const wrong: number[] = []
  for (let index = 0; index * size < bytes.byteLength; index++) {
    const chunk = bytes.subarray(index * size, (index + 1) * size)
    if (chunk.some((byte) => byte !== index % 251)) wrong.push(index)
  }
  return wrong
}

describe('response streaming through lambdalet serve', () => {
  let server: RunningServer

  beforeAll(async () => {
    server = await startTestServer({
      functions: {
        stepped: streaming('stepped'),
        fails: streaming('failsMidStream', { routes: ['GET /fails'] }),
        hangs: streaming('hangsMidStream', { timeoutMs: 1000 }),
        hello: fixture('hello.mjs'),
        http: streaming('http', { routes: ['GET /http'] }),
        endless: streaming('endless', { routes: ['GET /endless'], maxConcurrency: 1 }),
        hono: fixture('hono-stream.mjs', { routes: ['ANY /hono/{proxy+}'] }),
        buffered: fixture('hello.mjs', { routes: ['GET /buffered'] }),
        big: streaming('big', { routes: ['GET /big'], timeoutMs: 60_000 }),
        numbered: streaming('numbered', { routes: ['GET /numbered'], timeoutMs: 60_000 }),
      },
    })
  })
  afterAll(() => server?.close())

  async function invokeStream(name: string, payload: unknown, onChunk: (text: string) => void = () => {}) {
    const response = await lambdaClient(server.url).send(
      new InvokeWithResponseStreamCommand({
        FunctionName: name,
        Payload: JSON.stringify(payload),
        LogType: LogType.Tail,
      }),
    )
    const chunks: string[] = []
    let complete: InvokeWithResponseStreamCompleteEvent | undefined
    for await (const event of response.EventStream ?? []) {
      if (event.PayloadChunk?.Payload !== undefined) {
        const text = decoder.decode(event.PayloadChunk.Payload)
        chunks.push(text)
        onChunk(text)
      }
      if (event.InvokeComplete !== undefined) complete = event.InvokeComplete
    }
    return { response, chunks, complete }
  }

  async function invokeStreamBytes(name: string, payload: unknown) {
    const response = await lambdaClient(server.url).send(
      new InvokeWithResponseStreamCommand({ FunctionName: name, Payload: JSON.stringify(payload) }),
    )
    const chunks: Uint8Array[] = []
    let complete: InvokeWithResponseStreamCompleteEvent | undefined
    for await (const event of response.EventStream ?? []) {
      if (event.PayloadChunk?.Payload !== undefined) chunks.push(event.PayloadChunk.Payload)
      if (event.InvokeComplete !== undefined) complete = event.InvokeComplete
    }
    return { chunks, complete }
  }

  describe('InvokeWithResponseStream with the AWS SDK', () => {
    it('reads the stream chunk by chunk, each before the handler writes the next', async () => {
      const signal = steering()
      try {
        // The handler waits for `next` between chunks: buffered, this would never finish.
        const { response, chunks, complete } = await invokeStream(
          'stepped',
          { channel: signal.name, chunks: ['one', 'two', 'three'] },
          signal.next,
        )
        expect(response.$metadata.httpStatusCode).toBe(200)
        expect(response.ExecutedVersion).toBe('$LATEST')
        expect(chunks).toEqual(['one', 'two', 'three'])
        expect(complete?.ErrorCode).toBeUndefined()
        const log = Buffer.from(complete?.LogResult ?? '', 'base64').toString()
        expect(log).toMatch(/^START RequestId: /)
        expect(log).toMatch(/REPORT RequestId: .*\tDuration: [\d.]+ ms/)
      } finally {
        signal.close()
      }
    })

    it('ends with InvokeComplete.ErrorCode when the handler throws mid-stream', async () => {
      const { chunks, complete } = await invokeStream('fails', {})
      expect(chunks).toEqual(['partial '])
      expect(complete).toMatchObject({ ErrorCode: 'RangeError', ErrorDetails: 'died mid-stream' })
      expect(Buffer.from(complete?.LogResult ?? '', 'base64').toString()).toMatch(/\tStatus: error/)
    })

    it('ends with Sandbox.Timedout when the deadline passes mid-stream', async () => {
      const { chunks, complete } = await invokeStream('hangs', {})
      expect(chunks).toEqual(['partial '])
      expect(complete).toMatchObject({
        ErrorCode: 'Sandbox.Timedout',
        ErrorDetails: 'Task timed out after 1.00 seconds',
      })
    })

    it('keeps each chunk’s bytes over 16 MB while the environment reuses their memory', async () => {
      const size = 64 * 1024
      const count = 256
      const { chunks, complete } = await invokeStreamBytes('numbered', { count, size })
      expect(complete?.ErrorCode).toBeUndefined()
      const body = Buffer.concat(chunks)
      expect(body.byteLength).toBe(count * size)
      expect(misnumbered(body, size)).toEqual([])
    })

    it('streams an ordinary handler’s result as one chunk', async () => {
      const { chunks, complete } = await invokeStream('hello', { name: 'stream' })
      expect(chunks).toHaveLength(1)
      expect(JSON.parse(chunks[0] as string)).toMatchObject({ message: 'Hello, stream!' })
      expect(complete?.ErrorCode).toBeUndefined()
    })

    it('refuses an unknown function with ResourceNotFoundException before any stream', async () => {
      await expect(
        lambdaClient(server.url).send(new InvokeWithResponseStreamCommand({ FunctionName: 'nope' })),
      ).rejects.toBeInstanceOf(ResourceNotFoundException)
    })
  })

  it('lets a stream in flight finish when the server shuts down', async () => {
    const own = await startTestServer({ functions: { stepped: streaming('stepped') } })
    const signal = steering()
    let closed: Promise<boolean> | undefined
    try {
      const response = await lambdaClient(own.url).send(
        new InvokeWithResponseStreamCommand({
          FunctionName: 'stepped',
          Payload: JSON.stringify({ channel: signal.name, chunks: ['one', 'two', 'three'] }),
        }),
      )
      const chunks: string[] = []
      let complete: InvokeWithResponseStreamCompleteEvent | undefined
      for await (const event of response.EventStream ?? []) {
        if (event.PayloadChunk?.Payload !== undefined) {
          chunks.push(decoder.decode(event.PayloadChunk.Payload))
          if (closed === undefined) {
            // The request's handler has long returned the response; the
            // stream still counts as in flight, so the drain waits for it.
            expect(own.lifecycle.pending).toBe(1)
            closed = own.close()
          }
          signal.next()
        }
        if (event.InvokeComplete !== undefined) complete = event.InvokeComplete
      }
      expect(chunks).toEqual(['one', 'two', 'three'])
      expect(complete?.ErrorCode).toBeUndefined()
      expect(await closed).toBe(true)
    } finally {
      signal.close()
      await own.close()
    }
  })

  describe('HTTP routes of streaming functions', () => {
    it('keeps each chunk’s bytes over 16 MB while the environment reuses their memory', async () => {
      const size = 64 * 1024
      const count = 256
      // A client that reads nothing at first: the socket's buffers fill and
      // Node holds written chunks, whose memory must not go back before
      // their write is done.
      const body = await new Promise<Buffer>((resolve, reject) => {
        const req = request(`${server.url}/numbered?count=${count}&size=${size}`, (res) => {
          const chunks: Buffer[] = []
          res.pause()
          setTimeout(() => res.resume(), 300)
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('end', () => resolve(Buffer.concat(chunks)))
          res.on('error', reject)
        })
        req.on('error', reject)
        req.end()
      })
      expect(body.byteLength).toBe(count * size)
      expect(misnumbered(body, size)).toEqual([])
    })

    it('cuts the body short when the handler throws after writing, and keeps serving', async () => {
      const outcome = await new Promise<{ status?: number; body: string; error?: string }>((resolve) => {
        const req = request(`${server.url}/fails`, (res) => {
          let body = ''
          res.on('data', (chunk: Buffer) => (body += chunk))
          res.on('error', (error: NodeJS.ErrnoException) =>
            resolve({ status: res.statusCode, body, error: error.code }),
          )
          res.on('end', () => resolve({ status: res.statusCode, body }))
        })
        req.on('error', (error: NodeJS.ErrnoException) => resolve({ body: '', error: error.code }))
        req.end()
      })
      expect(outcome).toEqual({ status: 200, body: 'partial ', error: 'ECONNRESET' })
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    })

    it('sends the status, headers and cookies of an HttpResponseStream.from prelude, then the body as written', async () => {
      const signal = steering()
      try {
        // fetch resolves at the head: the handler is still waiting for `next`.
        const response = await fetch(`${server.url}/http?channel=${signal.name}`)
        expect(response.status).toBe(201)
        expect(response.headers.get('content-type')).toBe('text/html')
        expect(response.headers.get('x-custom')).toBe('1')
        expect(response.headers.get('transfer-encoding')).toBe('chunked')
        expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2'])
        const reader = (response.body as ReadableStream<Uint8Array>).getReader()
        expect(decoder.decode((await reader.read()).value)).toBe('<p>first</p>')
        signal.next()
        let rest = ''
        for (let part = await reader.read(); !part.done; part = await reader.read()) rest += decoder.decode(part.value)
        expect(rest).toBe('<p>second</p>')
      } finally {
        signal.close()
      }
    })

    it('streams to curl -N: it prints the first part while the handler still waits', async () => {
      const signal = steering()
      try {
        const curl = spawn('curl', ['-sSN', `${server.url}/http?channel=${signal.name}`])
        let stdout = ''
        const firstSeen = new Promise<void>((resolve) => {
          curl.stdout.setEncoding('utf8').on('data', (chunk: string) => {
            stdout += chunk
            if (stdout.includes('<p>first</p>')) resolve()
          })
        })
        const exited = new Promise<number | null>((resolve) => curl.once('close', resolve))
        await firstSeen
        expect(stdout).toBe('<p>first</p>')
        signal.next()
        expect(await exited).toBe(0)
        expect(stdout).toBe('<p>first</p><p>second</p>')
      } finally {
        signal.close()
      }
    })

    it('streams a Hono app served with hono/aws-lambda streamHandle', async () => {
      const signal = steering()
      try {
        const response = await fetch(`${server.url}/hono/steps?channel=${signal.name}`)
        expect(response.status).toBe(202)
        expect(response.headers.get('content-type')).toMatch(/^text\/plain/)
        expect(response.headers.get('x-powered-by-test')).toBe('hono')
        expect(response.headers.getSetCookie().map((cookie) => cookie.split(';')[0])).toEqual(['session=abc'])
        const reader = (response.body as ReadableStream<Uint8Array>).getReader()
        expect(decoder.decode((await reader.read()).value)).toBe('first;')
        signal.next()
        let rest = ''
        for (let part = await reader.read(); !part.done; part = await reader.read()) rest += decoder.decode(part.value)
        expect(rest).toBe('second')
      } finally {
        signal.close()
      }
    })

    it('keeps an ordinary handler’s route buffered', async () => {
      const response = await fetch(`${server.url}/buffered`)
      expect(response.headers.get('content-length')).toBe(String((await response.clone().arrayBuffer()).byteLength))
      expect(await response.json()).toMatchObject({ message: 'Hello, world!' })
    })

    it('fails the handler’s writes when the client disconnects, and keeps its environment', async () => {
      const url = `${server.url}/endless`
      await new Promise<void>((resolve, reject) => {
        const req = request(url, (res) => {
          res.once('data', () => {
            // Gone after the first bytes, mid-stream.
            req.destroy()
            resolve()
          })
        })
        req.on('error', (error) => (req.destroyed ? undefined : reject(error)))
        req.end()
      })
      // One environment (maxConcurrency 1): this waits for the endless
      // invocation to end, and runs where it ran, its module state intact.
      const report = await server.host.invoke('endless', { report: true })
      expect(report).toEqual({ lastFailure: 'ERR_STREAM_PREMATURE_CLOSE' })
      const stats = server.host.stats().functions.endless
      expect(stats).toMatchObject({ coldStarts: 1, timeouts: 0, invocations: 2 })
    })

    it('holds the handler to a slow client’s pace, the host’s memory flat, over 50 MB', async () => {
      const total = 50 * 1024 * 1024
      const name = `stream-${randomUUID()}`
      // Chunks the host is done with are garbage until V8 collects them,
      // which it may leave until tens of MB of them pile up: each sample is
      // taken after a collection, so it counts what the host holds.
      setFlagsFromString('--expose-gc')
      const gc = runInNewContext('gc') as () => void
      // Warm: a new environment's thread has memory of its own to count.
      await (await fetch(`${server.url}/big?megabytes=1&channel=${name}`)).arrayBuffer()
      gc()
      const baseline = process.memoryUsage().rss
      let peak = baseline
      const sampler = setInterval(() => {
        gc()
        peak = Math.max(peak, process.memoryUsage().rss)
      }, 50)
      // The handler says how far it got each time write() tells it to wait.
      const channel = new BroadcastChannel(name)
      let received = 0
      let aheadOfClient = 0
      channel.onmessage = (message: MessageEvent) => {
        aheadOfClient = Math.max(aheadOfClient, (message.data as { blockedAt: number }).blockedAt - received)
      }
      try {
        // A client reading at 15 MB/s, where the handler could write all
        // 50 MB in a fraction of a second.
        const bytesPerMs = (15 * 1024 * 1024) / 1000
        await new Promise<void>((resolve, reject) => {
          const req = request(`${server.url}/big?megabytes=50&channel=${name}`, (res) => {
            const started = Date.now()
            res.on('data', (chunk: Buffer) => {
              received += chunk.length
              const early = received / bytesPerMs - (Date.now() - started)
              if (early > 0) {
                res.pause()
                setTimeout(() => res.resume(), early)
              }
            })
            res.on('end', resolve)
            res.on('error', reject)
          })
          req.on('error', reject)
          req.end()
        })
      } finally {
        clearInterval(sampler)
        channel.close()
      }
      expect(received).toBe(total)
      // What it may run ahead by: the sockets' buffers (several MB each way
      // on loopback, more when this process reads late under load), the
      // host's 64 KiB, its window. Without credits it ran 46 MB ahead.
      expect(aheadOfClient).toBeLessThan(32 * 1024 * 1024)
      // The heaps still grow to their working size; a host holding the
      // stream would grow by most of it.
      expect(peak - baseline).toBeLessThan(total / 2)
    }, 60_000)
  })
})
