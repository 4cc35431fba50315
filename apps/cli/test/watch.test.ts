import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { invokePath, spawnServe } from './helpers.js'

const handler = (body: string) =>
  `enum Version {\n  Current = '${body}',\n}\n\nexport const handler = async (): Promise<string> => Version.Current\n`

describe('lambdalet serve --watch on a folder of TypeScript handlers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lambdalet-serve-watch-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('follows edits, new files, removed files and a broken edit while it runs', async () => {
    writeFileSync(join(dir, 'hello.ts'), handler('v1'))
    const serve = spawnServe([dir, '--port', '0', '--watch'], dir)
    const port = await serve.port
    expect(serve.lines.filter((line) => line === 'watching for changes')).toHaveLength(1)
    const url = `http://127.0.0.1:${port}`
    const invoke = async (name: string) => {
      const response = await fetch(`${url}${invokePath(name)}`, { method: 'POST', body: '{}' })
      return {
        status: response.status,
        error: response.headers.get('x-amz-function-error'),
        body: await response.json(),
      }
    }
    expect(await invoke('hello')).toEqual({ status: 200, error: null, body: 'v1' })

    // An edit: the next invocation is a cold start on the new code.
    writeFileSync(join(dir, 'hello.ts'), handler('v2'))
    await serve.waitFor(/^\[hello\] Code changed \(hello\.ts\)/)
    expect(await invoke('hello')).toEqual({ status: 200, error: null, body: 'v2' })

    // A new file is a function, with its routes.
    writeFileSync(join(dir, 'added.ts'), 'export const handler = async () => ({ statusCode: 200, body: "added" })\n')
    await serve.waitFor(/^watch: added +POST /)
    const routed = await fetch(`${url}/added`)
    expect(routed.status).toBe(200)
    expect(await routed.text()).toBe('added')

    // A broken edit fails with its init error, logged; the next good edit recovers.
    writeFileSync(join(dir, 'hello.ts'), "export const handler = async () => 'v3\n")
    await serve.waitFor(/^\[hello\] Code changed/, 2)
    await serve.waitFor(
      /^\[hello\] Runtime\.UserCodeSyntaxError: SyntaxError: hello\.ts:1:\d+: Unterminated string literal$/,
    )
    const broken = await invoke('hello')
    expect(broken).toMatchObject({
      status: 200,
      error: 'Unhandled',
      body: { errorType: 'Runtime.UserCodeSyntaxError' },
    })
    expect((broken.body as { errorMessage: string }).errorMessage).toMatch(
      /^SyntaxError: hello\.ts:1:\d+: Unterminated string literal$/,
    )
    await serve.waitFor(/^\[hello\] .*Status: error\tError Type: Runtime\.UserCodeSyntaxError/)
    writeFileSync(join(dir, 'hello.ts'), handler('v4'))
    await serve.waitFor(/^\[hello\] Code changed/, 3)
    expect(await invoke('hello')).toEqual({ status: 200, error: null, body: 'v4' })

    // A removed file's function goes away.
    unlinkSync(join(dir, 'added.ts'))
    await serve.waitFor(/^watch: removed added$/)
    expect(await invoke('added')).toMatchObject({ status: 404, body: { Type: 'User' } })
    expect((await fetch(`${url}/added`)).status).toBe(404)

    serve.child.kill('SIGTERM')
    expect(await serve.exited).toEqual({ code: 0, signal: null })
  })
})
