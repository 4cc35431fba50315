import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  InvokeCommand,
  type LambdaClient,
  ResourceNotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda'
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest'
import type { RunningServer } from '../src/server/start-server.js'
import { fixture, lambdaClient, startTestServer } from './helpers.js'

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value))
const decode = (payload: Uint8Array | undefined): unknown => JSON.parse(new TextDecoder().decode(payload))

describe('a function defined without routes', () => {
  it('starts and answers through the Invoke API, as an embedding caller writes it', async () => {
    const server = await startTestServer({
      functions: { hello: { handler: 'hello.mjs', codeDir: fixture('hello.mjs').codeDir } },
    })
    onTestFinished(async () => {
      await server.close()
    })
    const client = lambdaClient(server.url)
    onTestFinished(() => client.destroy())
    const output = await client.send(new InvokeCommand({ FunctionName: 'hello', Payload: encode({ name: 'bare' }) }))
    expect(decode(output.Payload)).toEqual({ message: 'Hello, bare!', functionName: 'hello' })
  })
})

describe('the Invoke API through @aws-sdk/client-lambda', () => {
  let server: RunningServer
  let client: LambdaClient
  let scratch: string

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'lambdalet-cli-'))
    server = await startTestServer({
      functions: {
        hello: fixture('hello.mjs'),
        fail: fixture('fail.mjs'),
        append: fixture('append.mjs'),
        throttled: fixture('slow.mjs', { maxConcurrency: 1, maxQueue: 0 }),
      },
    })
    client = lambdaClient(server.url)
  })

  afterAll(async () => {
    client?.destroy()
    await server?.close()
    await rm(scratch, { recursive: true, force: true })
  })

  it('returns the decoded result of a successful invocation', async () => {
    const output = await client.send(new InvokeCommand({ FunctionName: 'hello', Payload: encode({ name: 'SDK' }) }))
    expect(output.StatusCode).toBe(200)
    expect(output.FunctionError).toBeUndefined()
    expect(output.ExecutedVersion).toBe('$LATEST')
    expect(decode(output.Payload)).toEqual({ message: 'Hello, SDK!', functionName: 'hello' })
  })

  it('reports a thrown error as FunctionError with the error as payload', async () => {
    const output = await client.send(new InvokeCommand({ FunctionName: 'fail' }))
    expect(output.StatusCode).toBe(200)
    expect(output.FunctionError).toBe('Unhandled')
    expect(decode(output.Payload)).toMatchObject({ errorType: 'TypeError', errorMessage: 'boom' })
  })

  it('returns the START and REPORT lines as a base64 LogResult with LogType Tail', async () => {
    const output = await client.send(new InvokeCommand({ FunctionName: 'hello', LogType: 'Tail' }))
    const log = Buffer.from(output.LogResult ?? '', 'base64').toString('utf8')
    expect(log).toMatch(/^START RequestId: \S+ Version: \$LATEST/m)
    expect(log).toContain('hello from the fixture')
    expect(log).toMatch(/^REPORT RequestId: \S+\tDuration: [\d.]+ ms/m)
  })

  it('accepts an Event invocation with 202 and runs it exactly once', async () => {
    const file = join(scratch, 'events.log')
    const output = await client.send(
      new InvokeCommand({ FunctionName: 'append', InvocationType: 'Event', Payload: encode({ file, line: 'ran' }) }),
    )
    expect(output.StatusCode).toBe(202)
    await vi.waitFor(() => expect(server.events.asyncStats().functions.append!.succeeded).toBe(1), { timeout: 10_000 })
    expect(await readFile(file, 'utf8')).toBe('ran\n')
  })

  it('throws ResourceNotFoundException for an unknown function', async () => {
    const error = await client.send(new InvokeCommand({ FunctionName: 'missing' })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ResourceNotFoundException)
    expect((error as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404)
  })

  it('throws TooManyRequestsException when the concurrency and the queue are full', async () => {
    const first = client.send(new InvokeCommand({ FunctionName: 'throttled', Payload: encode({ ms: 1_000 }) }))
    await vi.waitFor(() => expect(server.host.stats().functions['throttled']?.queue.running).toBe(1), {
      timeout: 5_000,
    })
    const error = await client.send(new InvokeCommand({ FunctionName: 'throttled' })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TooManyRequestsException)
    expect((error as TooManyRequestsException).Reason).toBeDefined()
    expect((await first).StatusCode).toBe(200)
  })
})
