import { execFile, spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
// @ts-expect-error: a plain script of the repository, without types
import { packPackages } from '../../../scripts/pack-packages.mjs'
import { collect, invokePath } from './helpers.js'

const run = promisify(execFile)
const repository = fileURLToPath(new URL('../../../', import.meta.url))

/** The code block of the README's "Embedded in a Node app" section, as a user would paste it. */
function readmeEmbeddedExample(): string {
  const readme = readFileSync(join(repository, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('### Embedded in a Node app'))
  const match = /```ts\n([\s\S]*?)```/.exec(section)
  if (match === null) throw new Error('README.md: no code block under "Embedded in a Node app"')
  return match[1] as string
}

// The packages as a user installs them: packed tarballs, installed with npm
// into a project that has never seen this workspace.
describe('the packed packages, installed with npm into a fresh project', () => {
  const project = mkdtempSync(join(tmpdir(), 'lambdalet-install-'))
  afterAll(() => rmSync(project, { recursive: true, force: true }))

  beforeAll(async () => {
    const tarballs: string[] = packPackages(join(project, 'packs'))
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'user-project', private: true, type: 'module' }),
    )
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], {
      cwd: project,
      timeout: 240_000,
    })
    mkdirSync(join(project, 'functions'))
    copyFileSync(join(repository, 'examples', 'hello.mjs'), join(project, 'functions', 'hello.mjs'))
    writeFileSync(
      join(project, 'functions', 'typed.ts'),
      "export const handler = async (event: { name: string }): Promise<string> => 'typed ' + event.name\n",
    )
  }, 300_000)

  it('runs the README’s embedded example', async () => {
    writeFileSync(join(project, 'example.mjs'), readmeEmbeddedExample())
    const { stdout } = await run(process.execPath, ['example.mjs'], { cwd: project, timeout: 30_000 })
    expect(stdout).toContain('Hello, x!')
    expect(stdout).toMatch(/^REPORT RequestId: /m)
  })

  it('lets the process exit when the embedded host’s caller forgot close()', async () => {
    const forgot = readmeEmbeddedExample().replace(/^await host\.close\(\)$/m, '')
    expect(forgot).not.toContain('close()')
    writeFileSync(join(project, 'forgot.mjs'), forgot)
    // The idle environment's thread must not hold the event loop: the process ends by itself.
    const { stdout } = await run(process.execPath, ['forgot.mjs'], { cwd: project, timeout: 20_000 })
    expect(stdout).toContain('Hello, x!')
  })

  it('puts a lambdalet bin in node_modules/.bin that serves a folder, TypeScript included', async () => {
    const bin = join(project, 'node_modules', '.bin', 'lambdalet')
    const child = spawn(bin, ['serve', 'functions', '--port', '0', '--store', 'memory'], { cwd: project })
    const done = collect(child)
    let output = ''
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)
        if (match !== null) resolve(Number(match[1]))
      })
      child.once('exit', (code) => reject(new Error(`lambdalet serve exited with ${code}: ${output}`)))
    })
    try {
      const hello = await fetch(`http://127.0.0.1:${port}${invokePath('hello')}`, {
        method: 'POST',
        body: '{"name":"npm"}',
      })
      expect(await hello.json()).toMatchObject({ message: 'Hello, npm!' })
      const typed = await fetch(`http://127.0.0.1:${port}${invokePath('typed')}`, {
        method: 'POST',
        body: '{"name":"ts"}',
      })
      expect(await typed.json()).toBe('typed ts')
    } finally {
      child.kill('SIGTERM')
    }
    expect((await done).code).toBe(0)
  })
})
