import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { LogEntry } from '../src/index.js'
import { rejectionOf, tempDir, testHost, until } from './helpers.js'

/** A handler that says which version of its code runs, and how often this environment ran it. */
function version(label: string, delayMs = 0): string {
  return `let runs = 0\nexport const handler = async () => {\n  await new Promise((resolve) => setTimeout(resolve, ${delayMs}))\n  return { label: '${label}', runs: ++runs }\n}\n`
}

function recycles(logs: LogEntry[], name: string): number {
  return logs.filter((entry) => entry.functionName === name && entry.line.startsWith('Code changed')).length
}

async function watchedHost(functions: Parameters<typeof testHost>[0]['functions']) {
  const watched = testHost({ functions, watch: { debounceMs: 50 } })
  await watched.host.watching()
  return watched
}

describe('watch mode', () => {
  it('retires an idle environment at once after an edit, so the next invocation is a cold start on the new code', async () => {
    const dir = tempDir('lambdalet-watch-')
    writeFileSync(join(dir, 'fn.mjs'), version('v1'))
    const { host, logs } = await watchedHost({ fn: { handler: 'fn.mjs', codeDir: dir } })
    expect(await host.invoke('fn')).toEqual({ label: 'v1', runs: 1 })
    expect(await host.invoke('fn')).toEqual({ label: 'v1', runs: 2 })
    writeFileSync(join(dir, 'fn.mjs'), version('v2'))
    await until(() => recycles(logs, 'fn') === 1)
    await until(() => host.stats().functions.fn!.environments.idle === 0)
    expect(await host.invoke('fn')).toEqual({ label: 'v2', runs: 1 })
    expect(host.stats().functions.fn!.coldStarts).toBe(2)
  })

  it('lets a busy environment finish its invocation on the old code, then retires it', async () => {
    const dir = tempDir('lambdalet-watch-')
    writeFileSync(join(dir, 'fn.mjs'), version('v1', 1500))
    const { host, logs } = await watchedHost({ fn: { handler: 'fn.mjs', codeDir: dir } })
    const running = host.invoke('fn')
    await until(() => host.stats().functions.fn!.environments.busy === 1)
    writeFileSync(join(dir, 'fn.mjs'), version('v2'))
    await until(() => recycles(logs, 'fn') === 1)
    expect(host.stats().functions.fn!.environments.busy).toBe(1)
    expect(await running).toEqual({ label: 'v1', runs: 1 })
    expect(await host.invoke('fn')).toEqual({ label: 'v2', runs: 1 })
    expect(host.stats().functions.fn!.coldStarts).toBe(2)
  })

  it('re-warms minWarm environments on the new code', async () => {
    const dir = tempDir('lambdalet-watch-')
    writeFileSync(join(dir, 'fn.mjs'), version('v1'))
    const { host, logs } = await watchedHost({ fn: { handler: 'fn.mjs', codeDir: dir, minWarm: 1 } })
    await until(() => host.stats().functions.fn!.environments.idle === 1)
    writeFileSync(join(dir, 'fn.mjs'), version('v2'))
    await until(() => recycles(logs, 'fn') === 1)
    await until(() => host.stats().functions.fn!.environments.idle === 1)
    expect(await host.invoke('fn')).toEqual({ label: 'v2', runs: 1 })
    // Served by the re-warmed environment: no invocation waited for a cold start.
    expect(host.stats().functions.fn!.coldStarts).toBe(0)
  })

  it('shows a broken edit’s init error, and the next good edit recovers', async () => {
    const dir = tempDir('lambdalet-watch-')
    writeFileSync(join(dir, 'fn.ts'), "export const handler = async (): Promise<string> => 'v1'\n")
    const { host, logs } = await watchedHost({ fn: { handler: 'fn.ts', codeDir: dir } })
    expect(await host.invoke('fn')).toBe('v1')
    writeFileSync(join(dir, 'fn.ts'), "export const handler = async (): Promise<string> => 'v2\n")
    await until(() => recycles(logs, 'fn') === 1)
    // Logged as soon as the edit is seen, before any invocation: the build is eager.
    await until(() =>
      logs.some((entry) => /^Runtime\.UserCodeSyntaxError: SyntaxError: fn\.ts:1:\d+: /.test(entry.line)),
    )
    const error = await rejectionOf(host.invoke('fn'))
    expect(error.errorType).toBe('Runtime.UserCodeSyntaxError')
    expect(error.errorMessage).toMatch(/^SyntaxError: fn\.ts:1:\d+: Unterminated string literal$/)
    writeFileSync(join(dir, 'fn.ts'), "export const handler = async (): Promise<string> => 'v3'\n")
    await until(() => recycles(logs, 'fn') === 2)
    expect(await host.invoke('fn')).toBe('v3')
  })

  it('recycles a TypeScript function only for the files its bundle was built from', async () => {
    const dir = tempDir('lambdalet-watch-')
    writeFileSync(join(dir, 'word.ts'), "export const word = 'one'\n")
    writeFileSync(join(dir, 'fn.ts'), "import { word } from './word'\n\nexport const handler = async () => word\n")
    writeFileSync(join(dir, 'other.mjs'), version('other'))
    const { host, logs } = await watchedHost({
      fn: { handler: 'fn.ts', codeDir: dir },
      other: { handler: 'other.mjs', codeDir: dir },
    })
    expect(await host.invoke('fn')).toBe('one')
    writeFileSync(join(dir, 'unrelated.ts'), "export const unrelated = 'not imported'\n")
    // The plain JavaScript function in the same folder may import anything: it is recycled.
    await until(() => recycles(logs, 'other') === 1)
    expect(recycles(logs, 'fn')).toBe(0)
    expect(host.stats().functions.fn!.environments.idle).toBe(1)
    writeFileSync(join(dir, 'word.ts'), "export const word = 'two'\n")
    await until(() => recycles(logs, 'fn') === 1)
    expect(await host.invoke('fn')).toBe('two')
  })

  it('ignores changes under node_modules', async () => {
    const dir = tempDir('lambdalet-watch-')
    writeFileSync(join(dir, 'fn.mjs'), version('v1'))
    mkdirSync(join(dir, 'node_modules', 'dep'), { recursive: true })
    const { host, logs } = await watchedHost({ fn: { handler: 'fn.mjs', codeDir: dir } })
    await host.invoke('fn')
    writeFileSync(join(dir, 'node_modules', 'dep', 'index.js'), 'module.exports = 1\n')
    // A change the watcher does see, after the ignored one: it is reported with every change seen before it.
    writeFileSync(join(dir, 'notes.txt'), 'seen\n')
    await until(() => recycles(logs, 'fn') === 1)
    const line = logs.find((entry) => entry.line.startsWith('Code changed'))!.line
    expect(line).toBe('Code changed (notes.txt): new environments from the next invocation on')
  })
})
