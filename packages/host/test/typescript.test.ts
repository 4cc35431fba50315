import { execFile } from 'node:child_process'
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import type { Host } from '../src/index.js'
import { fixture, rejectionOf, tempDir, testHost, until } from './helpers.js'

const typescript = fixture('typescript')

/** A copy of the TypeScript fixtures that a test may edit. */
function editableCopy(): string {
  const dir = tempDir('lambdalet-ts-')
  cpSync(typescript, dir, { recursive: true, filter: (source) => !source.includes('node_modules') })
  return dir
}

describe('TypeScript handlers', () => {
  it('runs a .ts handler with an enum, `import type` and a tsconfig paths alias, with no build step', async () => {
    const { host } = testHost({ functions: { greet: { handler: join(typescript, 'handler.ts') } } })
    expect(await host.invoke('greet', { name: 'ts' })).toEqual({ text: 'hello ts', mood: 'happy' })
  })

  it('points the stack trace of a thrown error at the line of the .ts source', async () => {
    const { host } = testHost({ functions: { greet: { handler: join(typescript, 'handler.ts') } } })
    const error = await rejectionOf(host.invoke('greet', { name: 'x', fail: true }))
    expect(error.errorType).toBe('RangeError')
    expect(error.errorMessage).toBe('no greeting for x')
    expect((error.trace as string[])[1]).toContain(`${join(typescript, 'handler.ts')}:11:11`)
  })

  it('maps stack traces in a host started with flags a worker refuses (--max-old-space-size, --expose-gc)', async () => {
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url))
    const source = [
      `import { createHost } from ${JSON.stringify(dist)}`,
      `const host = createHost({ functions: { greet: { handler: ${JSON.stringify(join(typescript, 'handler.ts'))} } }, logs: false })`,
      "const error = await host.invoke('greet', { name: 'x', fail: true }).catch((e) => e)",
      'console.log(error.trace[1])',
      'await host.close()',
    ].join('\n')
    const flags = ['--max-old-space-size=512', '--expose-gc', '--input-type=module', '-e', source]
    const { stdout } = await promisify(execFile)(process.execPath, flags, { timeout: 30_000 })
    expect(stdout).toContain(`${join(typescript, 'handler.ts')}:11:11`)
  })

  it('writes the bundle under the code root’s node_modules/.cache/lambdalet', async () => {
    const dir = editableCopy()
    const { host } = testHost({ functions: { greet: { handler: 'handler.ts', codeDir: dir } } })
    await host.invoke('greet', { name: 'cache' })
    const cache = join(dir, 'node_modules', '.cache', 'lambdalet')
    const bundle = readFileSync(join(cache, readdirSync(cache).find((f) => f.endsWith('.mjs'))!), 'utf8')
    expect(bundle).toContain('`hello ')
    expect(bundle).toMatch(/sourceMappingURL=handler-[0-9a-f]+\.mjs\.map/)
  })

  it('resolves the user’s own packages from the code root', async () => {
    const dir = editableCopy()
    const pkg = join(dir, 'node_modules', 'shout')
    cpSync(join(typescript, 'lib'), pkg, { recursive: true })
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'shout', type: 'module', main: 'index.js' }))
    writeFileSync(join(pkg, 'index.js'), 'export const shout = (text) => text.toUpperCase()\n')
    writeFileSync(
      join(dir, 'uses-package.ts'),
      "import { shout } from 'shout'\n\nexport const handler = async (event: { text: string }) => shout(event.text)\n",
    )
    const { host } = testHost({ functions: { shout: { handler: 'uses-package.ts', codeDir: dir } } })
    expect(await host.invoke('shout', { text: 'quiet' })).toBe('QUIET')
  })

  it('gives each file its own import.meta.url, so files next to the source are found', async () => {
    const { host } = testHost({ functions: { beside: { handler: join(typescript, 'reads-beside.ts') } } })
    expect(await host.invoke('beside')).toEqual({ word: 'beside', self: join(typescript, 'lib', 'where.ts') })
  })

  it('runs a handler with a type error: types are not checked', async () => {
    const { host } = testHost({ functions: { typed: { handler: join(typescript, 'type-error.ts') } } })
    expect(await host.invoke('typed')).toBe('not a number')
  })

  it('runs a .cts handler as CommonJS, `import x = require()` included', async () => {
    const { host } = testHost({ functions: { legacy: { handler: join(typescript, 'legacy.cts') } } })
    expect(await host.invoke('legacy', { file: 'a/b.tar.gz' })).toBe('.gz')
  })

  it('finds a Lambda-style handler in a .ts file after .js, .mjs and .cjs', async () => {
    const { host } = testHost({ functions: { greet: { handler: 'handler.handler', codeDir: typescript } } })
    expect(await host.invoke('greet', { name: 'lambda style' })).toMatchObject({ text: 'hello lambda style' })
  })

  it('fails a syntax error as Runtime.UserCodeSyntaxError naming the place, not the source line', async () => {
    const { host, logs } = testHost({
      functions: { broken: { handler: join(typescript, 'broken.ts') }, ok: { handler: fixture('echo-value.mjs') } },
    })
    const error = await rejectionOf(host.invoke('broken', {}))
    expect(error.errorType).toBe('Runtime.UserCodeSyntaxError')
    expect(error.errorMessage).toMatch(/^SyntaxError: broken\.ts:3:1: Unexpected "}"$/)
    expect(JSON.stringify(error)).not.toContain('do-not-echo-this-line')
    expect(logs.some((entry) => entry.line.includes('Error Type: Runtime.UserCodeSyntaxError'))).toBe(true)
    expect(await host.invoke('ok', 'still serving')).toBe('still serving')
  })

  it('fails an import that does not resolve as Runtime.ImportModuleError', async () => {
    const { host } = testHost({ functions: { unresolved: { handler: join(typescript, 'unresolved.ts') } } })
    const error = await rejectionOf(host.invoke('unresolved'))
    expect(error.errorType).toBe('Runtime.ImportModuleError')
    expect(error.errorMessage).toBe('Error: unresolved.ts:1:25: Could not resolve "./not-there"')
  })

  it('rebuilds at the next cold start after the source changed, and a fixed syntax error recovers', async () => {
    const dir = editableCopy()
    const file = join(dir, 'handler.ts')
    // Every invocation is a cold start: each environment is evicted right after it answers.
    const { host } = testHost({ functions: { greet: { handler: file, idleTimeoutMs: 1, maxConcurrency: 1 } } })
    expect(await host.invoke('greet', { name: 'one' })).toMatchObject({ text: 'hello one' })
    const greet = join(dir, 'lib', 'greet.ts')
    writeFileSync(greet, "export const greet = (name: string): string => 'bonjour ' + name\n")
    await waitForNoEnvironment(host)
    expect(await host.invoke('greet', { name: 'two' })).toMatchObject({ text: 'bonjour two' })
    writeFileSync(greet, "export const greet = (name: string): string => 'bonjour ' +\n")
    await waitForNoEnvironment(host)
    expect((await rejectionOf(host.invoke('greet', { name: 'three' }))).errorType).toBe('Runtime.UserCodeSyntaxError')
    writeFileSync(greet, "export const greet = (name: string): string => 'hallo ' + name\n")
    expect(await host.invoke('greet', { name: 'four' })).toMatchObject({ text: 'hallo four' })
  })

  it('reports a TypeScript handler file that is gone as Runtime.ImportModuleError, not its stale bundle', async () => {
    const dir = editableCopy()
    const { host } = testHost({ functions: { greet: { handler: 'handler.ts', codeDir: dir, idleTimeoutMs: 1 } } })
    await host.invoke('greet', { name: 'once' })
    rmSync(join(dir, 'handler.ts'))
    await waitForNoEnvironment(host)
    expect(existsSync(join(dir, 'node_modules', '.cache', 'lambdalet'))).toBe(true)
    const error = await rejectionOf(host.invoke('greet', { name: 'again' }))
    expect(error.errorType).toBe('Runtime.ImportModuleError')
    expect(error.errorMessage).toContain("Cannot find module 'handler.ts'")
  })
})

function waitForNoEnvironment(host: Host): Promise<void> {
  return until(() => {
    const { idle, busy, starting } = host.stats().functions.greet!.environments
    return idle + busy + starting === 0
  })
}
