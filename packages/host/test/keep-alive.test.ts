import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { fixture } from './helpers.js'

const run = promisify(execFile)
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url))

/** Runs `body` as an ES module in a fresh Node process, with `createHost` imported from the build. */
function script(body: string) {
  const source = `import { createHost } from ${JSON.stringify(dist)}\n${body}`
  return run(process.execPath, ['--input-type=module', '-e', source], { timeout: 20_000 })
}

describe('what keeps the process alive', () => {
  it('lets the process exit with idle environments in it when close() was forgotten', async () => {
    const { stdout } = await script(`
      const host = createHost({ functions: { echo: { handler: ${JSON.stringify(fixture('echo-value.mjs'))}, minWarm: 1 } }, logs: false })
      console.log(await host.invoke('echo', 'answered'))
    `)
    expect(stdout.trim()).toBe('answered')
  })

  it('keeps the process alive while an invocation runs, though nothing awaits it', async () => {
    const { stdout } = await script(`
      const host = createHost({ functions: { slow: { handler: ${JSON.stringify(fixture('slow.mjs'))} } }, logs: false })
      host.invoke('slow', { sleepMs: 500 }).then((result) => console.log('answered', result.count))
    `)
    expect(stdout.trim()).toBe('answered 1')
  })
})
