import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  type LambdaClient,
  ListFunctionsCommand,
  paginateListFunctions,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server/start-server.js'
import { fixture, lambdaClient, startTestServer } from './helpers.js'

const DOCS_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:hello'

const sdkClient = (server: RunningServer) => lambdaClient(server.url)

describe('control-plane reads through @aws-sdk/client-lambda', () => {
  let server: RunningServer
  let client: LambdaClient

  beforeAll(async () => {
    server = await startTestServer({
      functions: {
        hello: fixture('hello.mjs', { timeoutMs: 1500, memoryMb: 256, env: { GREETING: 'hi', API_TOKEN: 's3cret' } }),
        slow: fixture('slow.mjs', { maxConcurrency: 2 }),
        fail: fixture('fail.mjs'),
      },
    })
    client = sdkClient(server)
  })
  afterAll(async () => {
    client?.destroy()
    await server?.close()
  })

  it('lists every served function with its runtime, handler, timeout and memory', async () => {
    const { Functions = [] } = await client.send(new ListFunctionsCommand({}))
    expect(Functions.map((fn) => fn.FunctionName)).toEqual(['fail', 'hello', 'slow'])
    expect(Functions[1]).toMatchObject({
      FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:hello',
      Runtime: `nodejs${process.versions.node.split('.')[0]}.x`,
      Handler: 'hello.mjs',
      Timeout: 2,
      MemorySize: 256,
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
    })
    // The defaults the host applies, as Lambda's.
    expect(Functions[0]).toMatchObject({ Timeout: 3, MemorySize: 128 })
  })

  it('pages through the list with the SDK paginator', async () => {
    const names: string[] = []
    for await (const page of paginateListFunctions({ client, pageSize: 1 }, {})) {
      expect(page.Functions).toHaveLength(1)
      names.push(...(page.Functions ?? []).map((fn) => fn.FunctionName as string))
    }
    expect(names).toEqual(['fail', 'hello', 'slow'])
  })

  it('names environment variables without ever sending their values', async () => {
    const output = await client.send(new GetFunctionCommand({ FunctionName: 'hello' }))
    expect(output.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(Object.keys(output.Configuration?.Environment?.Variables ?? {})).toEqual(['GREETING', 'API_TOKEN'])
    expect(JSON.stringify(output)).not.toContain('s3cret')
    const slow = await client.send(new GetFunctionCommand({ FunctionName: 'slow' }))
    expect(slow.Concurrency?.ReservedConcurrentExecutions).toBe(2)
    expect(slow.Configuration?.Environment).toBeUndefined()
  })

  it("reaches a function through the ARN of AWS's docs when no account id is configured", async () => {
    const configuration = await client.send(new GetFunctionConfigurationCommand({ FunctionName: DOCS_ARN }))
    expect(configuration.FunctionName).toBe('hello')
    const invoked = await client.send(
      new InvokeCommand({ FunctionName: DOCS_ARN, Payload: new TextEncoder().encode('{}') }),
    )
    expect(JSON.parse(new TextDecoder().decode(invoked.Payload))).toMatchObject({ functionName: 'hello' })
  })

  it('throws ResourceNotFoundException with status 404 for an unknown function', async () => {
    for (const command of [
      new GetFunctionCommand({ FunctionName: 'nope' }),
      new GetFunctionConfigurationCommand({ FunctionName: 'nope' }),
    ]) {
      const error = await client.send(command as GetFunctionCommand).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ResourceNotFoundException)
      expect((error as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404)
      expect((error as ResourceNotFoundException).message).toBe(
        'Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope',
      )
    }
  })
})

describe('a configured account id', () => {
  it('refuses ARNs of other accounts and accepts its own', async () => {
    const server = await startTestServer({ functions: { hello: fixture('hello.mjs') }, accountId: '111122223333' })
    const client = sdkClient(server)
    try {
      const error = await client.send(new InvokeCommand({ FunctionName: DOCS_ARN })).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ResourceNotFoundException)
      const own = await client.send(
        new GetFunctionConfigurationCommand({ FunctionName: 'arn:aws:lambda:us-east-1:111122223333:function:hello' }),
      )
      expect(own.FunctionArn).toBe('arn:aws:lambda:us-east-1:111122223333:function:hello')
    } finally {
      client.destroy()
      await server.close()
    }
  })
})
