import { describe, expect, it } from 'vitest'
import { fixture, testHost } from './helpers.js'

const dump = { handler: fixture('env-dump.mjs') }
const serverEnv = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/someone',
  NODE_ENV: 'development',
  DATABASE_URL: 'postgres://secret',
  GITHUB_TOKEN: 'ghp_secret',
}

describe('what a function finds in process.env', () => {
  it('gets a region and dummy credentials when the server has none, and nothing of a host that passed no processEnv', async () => {
    const { host } = testHost({ functions: { dump }, region: 'eu-west-1' })
    const env = await host.invoke<Record<string, string>>('dump')
    expect(env).toMatchObject({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1' })
    expect(env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/)
    expect(env.AWS_SECRET_ACCESS_KEY).toBeTruthy()
    expect(env.AWS_SESSION_TOKEN).toBeTruthy()
    expect(env.PATH).toBeUndefined()
  })

  it('passes the server’s access keys through, and nothing else of its environment but the system variables', async () => {
    const processEnv = {
      ...serverEnv,
      AWS_ACCESS_KEY_ID: 'AKIAREALKEY',
      AWS_SECRET_ACCESS_KEY: 'real-secret',
      AWS_SESSION_TOKEN: 'real-token',
    }
    const { host } = testHost({ functions: { dump }, processEnv })
    const env = await host.invoke<Record<string, string>>('dump')
    expect(env).toMatchObject({
      AWS_ACCESS_KEY_ID: 'AKIAREALKEY',
      AWS_SECRET_ACCESS_KEY: 'real-secret',
      AWS_SESSION_TOKEN: 'real-token',
      PATH: '/usr/bin:/bin',
      HOME: '/home/someone',
    })
    expect(env.NODE_ENV).toBeUndefined()
    expect(env.DATABASE_URL).toBeUndefined()
    expect(env.GITHUB_TOKEN).toBeUndefined()
  })

  it('passes a named profile through instead of dummy keys', async () => {
    const processEnv = { ...serverEnv, AWS_PROFILE: 'dev', AWS_CONFIG_FILE: '/etc/aws/config' }
    const { host } = testHost({ functions: { dump }, processEnv })
    const env = await host.invoke<Record<string, string>>('dump')
    expect(env).toMatchObject({ AWS_PROFILE: 'dev', AWS_CONFIG_FILE: '/etc/aws/config' })
    expect(env.AWS_ACCESS_KEY_ID).toBeUndefined()
  })

  it('copies the inheritEnv names, host-wide and per function, and lets a function’s env win', async () => {
    const { host } = testHost({
      functions: {
        dump,
        withDb: { ...dump, inheritEnv: ['DATABASE_URL'] },
        overridden: { ...dump, env: { NODE_ENV: 'test' } },
      },
      processEnv: serverEnv,
      inheritEnv: ['NODE_ENV', 'NOT_SET_ANYWHERE'],
    })
    const plain = await host.invoke<Record<string, string>>('dump')
    expect(plain.NODE_ENV).toBe('development')
    expect(plain.DATABASE_URL).toBeUndefined()
    expect('NOT_SET_ANYWHERE' in plain).toBe(false)
    expect((await host.invoke<Record<string, string>>('withDb')).DATABASE_URL).toBe('postgres://secret')
    expect((await host.invoke<Record<string, string>>('overridden')).NODE_ENV).toBe('test')
  })

  it('names the endpoints it was given as AWS_ENDPOINT_URL_<SERVICE>', async () => {
    const { host } = testHost({
      functions: { dump },
      awsEndpoints: { lambda: 'http://127.0.0.1:9999', sqs: 'http://127.0.0.1:9999' },
    })
    expect(await host.invoke('dump')).toMatchObject({
      AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:9999',
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9999',
    })
  })

  it('refuses an inheritEnv entry that is not a variable name', () => {
    expect(() => testHost({ functions: { dump }, inheritEnv: ['NODE ENV'] })).toThrow(/inheritEnv/)
    expect(() => testHost({ functions: { dump: { ...dump, inheritEnv: 'NODE_ENV' as never } } })).toThrow(
      /functions\.dump\.inheritEnv/,
    )
  })
})
