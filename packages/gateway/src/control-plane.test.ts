import { describe, expect, it } from 'vitest'
import { fakeInvoker, jsonBody } from '../test/fake-invoker.js'
import { createGateway, type GatewayOptions } from './create-gateway.js'

const functions = {
  hello: { handler: 'hello.mjs', timeoutMs: 3000, memoryMb: 128, environmentKeys: ['GREETING', 'DB_PASSWORD'] },
  slow: { handler: 'slow.handler', timeoutMs: 1500, memoryMb: 256, maxConcurrency: 2 },
}

interface ListBody {
  Functions: Array<{ FunctionName: string }>
  NextMarker?: string
}

const listBody = async (res: Response): Promise<ListBody> => (await res.json()) as ListBody

function setup(options: GatewayOptions = {}) {
  const invoker = fakeInvoker(['hello', 'slow', 'bare'])
  const app = createGateway(invoker, { functions, logger: () => {}, ...options })
  return { app, invoker }
}

describe('GetFunctionConfiguration', () => {
  it("answers in Lambda's shape, timeout in seconds, environment names without their values", async () => {
    const { app } = setup()
    const res = await app.request('/2015-03-31/functions/hello/configuration')
    expect(res.status).toBe(200)
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/)
    const configuration = (await res.json()) as Record<string, string>
    expect(configuration).toMatchObject({
      FunctionName: 'hello',
      FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:hello',
      Runtime: `nodejs${process.versions.node.split('.')[0]}.x`,
      Handler: 'hello.mjs',
      Timeout: 3,
      MemorySize: 128,
      Version: '$LATEST',
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
      Architectures: [process.arch === 'arm64' ? 'arm64' : 'x86_64'],
      Environment: { Variables: { GREETING: '(hidden by lambdalet)', DB_PASSWORD: '(hidden by lambdalet)' } },
    })
    expect(configuration.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/)
  })

  it('rounds a sub-second timeout up to whole seconds', async () => {
    const { app } = setup({ functions: { hello: { timeoutMs: 200 } } })
    expect(await jsonBody(await app.request('/2015-03-31/functions/hello/configuration'))).toMatchObject({ Timeout: 1 })
  })

  it('leaves out what it was not told instead of guessing', async () => {
    const { app } = setup()
    const configuration = await jsonBody(await app.request('/2015-03-31/functions/bare/configuration'))
    expect(configuration).toMatchObject({ FunctionName: 'bare', State: 'Active' })
    for (const key of ['Handler', 'Timeout', 'MemorySize', 'Environment']) expect(configuration).not.toHaveProperty(key)
  })

  it('reaches the function through a full ARN of any account, and $LATEST', async () => {
    const { app } = setup()
    const arn = encodeURIComponent('arn:aws:lambda:us-east-1:123456789012:function:hello')
    expect((await app.request(`/2015-03-31/functions/${arn}/configuration`)).status).toBe(200)
    const latest = await app.request('/2015-03-31/functions/hello/configuration?Qualifier=%24LATEST')
    expect(await jsonBody(latest)).toMatchObject({
      FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:hello:$LATEST',
    })
  })

  it('answers ResourceNotFoundException for an unknown function, a version, or a configured other account', async () => {
    const { app } = setup({ accountId: '111122223333' })
    const cases = [
      ['nope', 'arn:aws:lambda:us-east-1:111122223333:function:nope'],
      ['hello:7', 'arn:aws:lambda:us-east-1:111122223333:function:hello:7'],
      ['123456789012:function:hello', 'arn:aws:lambda:us-east-1:123456789012:function:hello'],
    ]
    for (const [name, arn] of cases) {
      const res = await app.request(`/2015-03-31/functions/${encodeURIComponent(name as string)}/configuration`)
      expect(res.status).toBe(404)
      expect(res.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException')
      expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/)
      expect(await res.json()).toEqual({ Type: 'User', message: `Function not found: ${arn}` })
    }
  })
})

describe('GetFunction', () => {
  it('wraps the configuration and reports a function’s own concurrency limit as reserved', async () => {
    const { app } = setup()
    const slow = await jsonBody(await app.request('/2015-03-31/functions/slow'))
    expect(slow).toMatchObject({
      Configuration: { FunctionName: 'slow', Handler: 'slow.handler', Timeout: 2, MemorySize: 256 },
      Concurrency: { ReservedConcurrentExecutions: 2 },
    })
    const hello = await jsonBody(await app.request('/2015-03-31/functions/hello'))
    expect(hello).not.toHaveProperty('Concurrency')
  })

  it('answers 400 for a malformed name', async () => {
    const { app } = setup()
    const res = await app.request('/2015-03-31/functions/bad%20name')
    expect(res.status).toBe(400)
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidParameterValueException')
  })
})

describe('ListFunctions', () => {
  it('lists every function by name, with or without the trailing slash', async () => {
    const { app } = setup()
    for (const path of ['/2015-03-31/functions/', '/2015-03-31/functions']) {
      const body = await listBody(await app.request(path))
      expect(body.Functions.map((f) => f.FunctionName)).toEqual(['bare', 'hello', 'slow'])
      expect(body).not.toHaveProperty('NextMarker')
    }
  })

  it('pages with MaxItems and Marker', async () => {
    const { app } = setup()
    const first = await listBody(await app.request('/2015-03-31/functions/?MaxItems=2'))
    expect(first.Functions.map((f) => f.FunctionName)).toEqual(['bare', 'hello'])
    expect(typeof first.NextMarker).toBe('string')
    const second = await listBody(await app.request(`/2015-03-31/functions/?MaxItems=2&Marker=${first.NextMarker}`))
    expect(second.Functions.map((f) => f.FunctionName)).toEqual(['slow'])
    expect(second).not.toHaveProperty('NextMarker')
  })

  it.each(['0', '10001', 'x'])('answers 400 for MaxItems=%s', async (maxItems) => {
    const { app } = setup()
    const res = await app.request(`/2015-03-31/functions/?MaxItems=${maxItems}`)
    expect(res.status).toBe(400)
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidParameterValueException')
  })

  it('requires the API key like every other route', async () => {
    const { app } = setup({ apiKey: 'secret' })
    expect((await app.request('/2015-03-31/functions/')).status).toBe(401)
    const res = await app.request('/2015-03-31/functions/', { headers: { authorization: 'Bearer secret' } })
    expect(res.status).toBe(200)
  })
})

describe('the functions option', () => {
  it('refuses descriptions of unknown functions and malformed fields, naming the key', () => {
    const invoker = fakeInvoker(['hello'])
    expect(() => createGateway(invoker, { functions: { nope: {} } })).toThrow(
      'Expected `functions` to name known functions, got "nope"',
    )
    expect(() => createGateway(invoker, { functions: { hello: { timeoutMs: -1 } } })).toThrow(
      'Expected `functions.hello.timeoutMs` to be a positive integer, got -1',
    )
    expect(() =>
      createGateway(invoker, { functions: { hello: { environmentKeys: 'A' as unknown as string[] } } }),
    ).toThrow('Expected `functions.hello.environmentKeys` to be an array of variable names, got "A"')
  })
})
