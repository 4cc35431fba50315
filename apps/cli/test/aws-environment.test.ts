import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InvokeCommand } from '@aws-sdk/client-lambda'
import { afterAll, describe, expect, it } from 'vitest'
import { fixture, fixtures, invokePath, lambdaClient, spawnServe, startTestServer } from './helpers.js'

describe('AWS credentials and endpoints inside functions', () => {
  it('lets a handler’s AWS SDK client call this server through AWS_ENDPOINT_URL_LAMBDA, with no code change', async () => {
    // No credentials in the server's environment: functions get dummy ones.
    const server = await startTestServer({
      functions: { caller: fixture('sdk-caller.mjs', { timeoutMs: 10_000 }), hello: fixture('hello.mjs') },
      processEnv: {},
    })
    try {
      const out = await lambdaClient(server.url).send(
        new InvokeCommand({
          FunctionName: 'caller',
          Payload: JSON.stringify({ target: 'hello', payload: { name: 'nested' } }),
        }),
      )
      expect(out.FunctionError).toBeUndefined()
      const result = JSON.parse(new TextDecoder().decode(out.Payload))
      expect(result).toMatchObject({ statusCode: 200, functionError: null, endpoint: server.url })
      expect(JSON.stringify(result.payload)).toContain('nested')
    } finally {
      await server.close()
    }
  })

  describe('lambdalet serve', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambdalet-env-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    it('passes its AWS credentials and the inheritEnv names through, and nothing else of its environment', async () => {
      writeFileSync(join(dir, 'dump.mjs'), "export { handler } from '" + join(fixtures, 'env-dump.mjs') + "'\n")
      writeFileSync(
        join(dir, 'lambdalet.json'),
        JSON.stringify({ inheritEnv: ['NODE_ENV'], functions: { dump: { inheritEnv: ['FEATURE_FLAG'] } } }),
      )
      const serve = spawnServe([dir, '--port', '0'], dir, {
        PATH: process.env.PATH,
        AWS_ACCESS_KEY_ID: 'AKIASERVERKEY',
        AWS_SECRET_ACCESS_KEY: 'server-secret',
        AWS_SESSION_TOKEN: 'server-token',
        NODE_ENV: 'staging',
        FEATURE_FLAG: 'on',
        LAMBDALET_TEST_SECRET: 'must not leak',
      })
      const port = await serve.port
      try {
        const response = await fetch(`http://127.0.0.1:${port}${invokePath('dump')}`, { method: 'POST', body: '{}' })
        const env = (await response.json()) as Record<string, string>
        expect(env).toMatchObject({
          AWS_ACCESS_KEY_ID: 'AKIASERVERKEY',
          AWS_SECRET_ACCESS_KEY: 'server-secret',
          AWS_SESSION_TOKEN: 'server-token',
          AWS_REGION: 'us-east-1',
          AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${port}`,
          AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${port}`,
          NODE_ENV: 'staging',
          FEATURE_FLAG: 'on',
        })
        expect(env.LAMBDALET_TEST_SECRET).toBeUndefined()
      } finally {
        serve.child.kill('SIGTERM')
        await serve.exited
      }
    })
  })
})
