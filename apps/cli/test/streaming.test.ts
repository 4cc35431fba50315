import { randomUUID } from 'node:crypto'
import { request } from 'node:http'
import { fileURLToPath } from 'node:url'
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

describe('response streaming through lambdalet serve', () => {
  let server: RunningServer

  beforeAll(async () => {
    server = await startTestServer({
      functions: {
        stepped: streaming('stepped'),
        fails: streaming('failsMidStream'),
        hangs: streaming('hangsMidStream', { timeoutMs: 1000 }),
        hello: fixture('hello.mjs'),
        http: streaming('http', { routes: ['GET /http'] }),
        endless: streaming('endless', { routes: ['GET /endless'], maxConcurrency: 1 }),
        hono: fixture('hono-stream.mjs', { routes: ['ANY /hono/{proxy+}'] }),
        buffered: fixture('hello.mjs', { routes: ['GET /buffered'] }),
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
})
