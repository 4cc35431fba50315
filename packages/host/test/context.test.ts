import { describe, expect, it } from 'vitest'
import { fixture, testHost } from './helpers.js'

describe('context', () => {
  it('carries what Lambda puts in the context object', async () => {
    const { host } = testHost({
      region: 'eu-west-1',
      accountId: '123456789012',
      functions: { ctx: { handler: fixture('context.mjs'), memoryMb: 512, timeoutMs: 5000 } },
    })
    const raw = await host.invokeRaw('ctx', '{}', {
      clientContext: { client: { installation_id: 'i' }, custom: { k: 'v' } },
      identity: { cognitoIdentityId: 'id', cognitoIdentityPoolId: 'pool' },
      traceId: 'Root=1-abc',
    })
    const context = JSON.parse(raw.payload)
    expect(context).toMatchObject({
      awsRequestId: raw.requestId,
      functionName: 'ctx',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:ctx',
      memoryLimitInMB: '512',
      logGroupName: '/aws/lambda/ctx',
      callbackWaitsForEmptyEventLoop: true,
      clientContext: { client: { installation_id: 'i' }, custom: { k: 'v' } },
      identity: { cognitoIdentityId: 'id', cognitoIdentityPoolId: 'pool' },
      traceId: 'Root=1-abc',
    })
    expect(context.logStreamName).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/)
    expect(context.remaining).toBeGreaterThan(4000)
    expect(context.remaining).toBeLessThanOrEqual(5000)
    const plain = JSON.parse((await host.invokeRaw('ctx', '{}')).payload)
    expect(plain).toMatchObject({ clientContext: null, identity: null, traceId: null })
  })
})
