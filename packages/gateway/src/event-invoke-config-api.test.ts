import { describe, expect, it } from 'vitest'
import { fakeAsyncInvoker } from '../test/fake-async-invoker.js'
import { fakeInvoker } from '../test/fake-invoker.js'
import { createGateway } from './create-gateway.js'

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:'

function setup() {
  const events = fakeAsyncInvoker()
  const app = createGateway(fakeInvoker(['hello', 'audit']), { events, logger: () => {} })
  const call = (method: string, name: string, body?: unknown, suffix = '') =>
    app.request(`/2019-09-25/functions/${name}/event-invoke-config${suffix}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  return { events, call }
}

describe('event-invoke-config API', () => {
  it('stores a PUT body as function names and answers in AWS shape', async () => {
    const { events, call } = setup()
    const res = await call('PUT', 'hello', {
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: `${ARN}audit` } },
    })
    expect(res.status).toBe(200)
    expect(events.configs.get('hello')?.config).toEqual({
      maximumRetryAttempts: 1,
      maximumEventAgeInSeconds: 3600,
      destinations: { onFailure: 'audit' },
    })
    expect(await res.json()).toEqual({
      FunctionArn: `${ARN}hello:$LATEST`,
      LastModified: 1_700_000_000.5,
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnSuccess: {}, OnFailure: { Destination: `${ARN}audit` } },
    })
    const read = await call('GET', 'hello')
    expect(((await read.json()) as { MaximumRetryAttempts: number }).MaximumRetryAttempts).toBe(1)
    const list = await call('GET', 'hello', undefined, '/list')
    expect(((await list.json()) as { FunctionEventInvokeConfigs: unknown[] }).FunctionEventInvokeConfigs).toHaveLength(
      1,
    )
  })

  it('refuses values outside AWS ranges and destinations that are not served functions, naming each field', async () => {
    const { events, call } = setup()
    const res = await call('PUT', 'hello', {
      MaximumRetryAttempts: 3,
      MaximumEventAgeInSeconds: 30,
      DestinationConfig: { OnSuccess: { Destination: `${ARN}nowhere` } },
    })
    expect(res.status).toBe(400)
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidParameterValueException')
    const { message } = (await res.json()) as { message: string }
    expect(message).toContain('MaximumRetryAttempts: expected an integer from 0 to 2, got 3')
    expect(message).toContain('MaximumEventAgeInSeconds: expected an integer from 60 to 21600, got 30')
    expect(message).toContain('DestinationConfig.OnSuccess.Destination')
    expect(events.configs.size).toBe(0)
  })

  it('answers 404 for a function without a config, and for an unknown function', async () => {
    const { call } = setup()
    const none = await call('GET', 'hello')
    expect(none.status).toBe(404)
    expect(((await none.json()) as { message: string }).message).toBe(
      `The function ${ARN}hello:$LATEST doesn't have an EventInvokeConfig`,
    )
    expect((await call('DELETE', 'hello')).status).toBe(404)
    const unknown = await call('PUT', 'missing', { MaximumRetryAttempts: 0 })
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException')
  })

  it('reaches the function by an ARN of any account, and refuses one of another region', async () => {
    const { call } = setup()
    const pasted = await call('PUT', encodeURIComponent('arn:aws:lambda:us-east-1:123456789012:function:hello'), {
      MaximumRetryAttempts: 0,
    })
    expect(pasted.status).toBe(200)
    const elsewhere = await call('GET', encodeURIComponent('arn:aws:lambda:eu-west-1:123456789012:function:hello'))
    expect(elsewhere.status).toBe(404)
  })

  it('deletes a config with 204', async () => {
    const { events, call } = setup()
    await call('PUT', 'hello', { MaximumRetryAttempts: 0 })
    expect((await call('DELETE', 'hello')).status).toBe(204)
    expect(events.configs.has('hello')).toBe(false)
  })
})
