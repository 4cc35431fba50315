import { writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { fixture, runCli, spawnServe, startTestServer } from './helpers.js'

const functions = { hello: fixture('hello.mjs') }

describe('where the server listens, and with which key', () => {
  const cleanups: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })

  it('refuses an API key shorter than 16 characters beyond loopback, and says so', async () => {
    const error = await startTestServer({ functions, host: '0.0.0.0', apiKey: 'k' }).then(
      (server) => {
        cleanups.push(() => server.close())
        return null
      },
      (thrown: Error) => thrown,
    )
    expect(error?.message).toBe(
      'refusing to listen on 0.0.0.0 with an API key of 1 characters: beyond loopback it must have at least 16 (e.g. `openssl rand -hex 32`).',
    )
    const cli = await runCli(['serve', '.', '--host', '0.0.0.0', '--port', '0', '--api-key', 'fifteen-chars15'])
    expect(cli.code).toBe(2)
    expect(cli.stderr).toContain('must have at least 16')
  })

  it('listens on [::1] when given it in brackets', async () => {
    const server = await startTestServer({ functions, host: '[::1]' })
    cleanups.push(() => server.close())
    expect(server.url).toBe(`http://[::1]:${server.port}`)
    const response = await fetch(`${server.url}/healthz`)
    expect(await response.json()).toEqual({ status: 'ready' })
  })

  it('reads the API key from --api-key-file, so it need not be in the environment', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lambdalet-key-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const keyFile = join(dir, 'key')
    writeFileSync(keyFile, 'a-key-of-more-than-16-characters\n')
    const serve = spawnServe(['.', '--port', '0', '--api-key-file', keyFile])
    cleanups.push(async () => {
      serve.child.kill('SIGKILL')
      await serve.exited
    })
    const url = `http://127.0.0.1:${await serve.port}/2015-03-31/functions/`
    expect((await fetch(url)).status).toBe(401)
    const allowed = await fetch(url, { headers: { authorization: 'Bearer a-key-of-more-than-16-characters' } })
    expect(allowed.status).toBe(200)

    const missing = await runCli(['serve', '.', '--port', '0', '--api-key-file', join(dir, 'absent')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain(`--api-key-file: cannot read ${join(dir, 'absent')}: ENOENT`)
  })
})
