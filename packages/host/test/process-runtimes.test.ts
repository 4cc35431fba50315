import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { fixture, rejectionOf, suiteHost, tempDir, testHost, until } from './helpers.js'

/** The repository's example of a `provided`-style function: the tutorial's bootstrap and its handler script. */
const customRuntime = fileURLToPath(new URL('../../../examples/custom-runtime/', import.meta.url))

// Runtimes other than the official Node client: the AWS custom-runtime
// tutorial's bash + curl `bootstrap`, and a client on bare node:http that
// makes the protocol's mistakes on purpose.

describe("the custom-runtime tutorial's bash + curl bootstrap", () => {
  const { host, logs } = suiteHost({
    functions: {
      // No command: the `bootstrap` file in the code directory, as provided.al2023 runs it.
      bash: { runtime: 'process', handler: 'function.handler', codeDir: customRuntime, maxConcurrency: 1 },
    },
  })

  it('answers with what the script printed, and serves the next event from the same warm bash process', async () => {
    const first = await host.invokeRaw('bash', '{"hi":1}')
    const second = await host.invokeRaw('bash', '{"hi":2}')
    expect(first.functionError).toBe(false)
    expect(first.payload).toMatch(/^Echoing request: '\{"hi":1\}' from \d+$/)
    expect(second.payload).toMatch(/^Echoing request: '\{"hi":2\}' from \d+$/)
    expect(second.payload.split(' from ')[1]).toBe(first.payload.split(' from ')[1])
    expect(host.stats().functions.bash!.coldStarts).toBe(1)
  })

  it("logs the script's stderr lines as the invocation's own, in its Tail", async () => {
    const raw = await host.invokeRaw('bash', '{"log":"me"}', { logType: 'Tail' })
    expect(raw.logResult).toContain(`\t${raw.requestId}\tINFO\t{"log":"me"}\n`)
    expect(
      logs.some(
        (entry) => entry.kind === 'function' && entry.message === '{"log":"me"}' && entry.requestId === raw.requestId,
      ),
    ).toBe(true)
  })
})

describe('a runtime client on bare HTTP, making mistakes on purpose', () => {
  const { host } = suiteHost({
    functions: {
      raw: {
        runtime: 'process',
        command: ['node', 'raw-client.mjs'],
        handler: 'raw',
        codeDir: fixture('process'),
        maxConcurrency: 1,
      },
    },
  })

  it('sends Content-Type with every event', async () => {
    const result = (await host.invoke('raw', {})) as { contentType: string }
    expect(result.contentType).toBe('application/json')
  })

  it('refuses a wrong request id (400), a second /next (403) and a stale id (403), and still takes the real answer', async () => {
    const first = (await host.invoke('raw', {})) as { id: string }
    const result = (await host.invoke('raw', { wrongId: true, nextTwice: true, staleId: first.id })) as {
      id: string
      seen: Record<string, number>
    }
    expect(result.seen).toEqual({ wrongId: 400, nextTwice: 403, staleId: 403 })
    expect(result.id).not.toBe(first.id)
    const cold = host.stats().functions.raw!.coldStarts
    expect(await host.invoke('raw', {})).toMatchObject({ seen: {} })
    expect(host.stats().functions.raw!.coldStarts).toBe(cold)
  })

  it('ignores a second answer to an event: the next invocation gets its own', async () => {
    const answered = (await host.invoke('raw', { answerTwice: true })) as { id: string }
    const next = await host.invokeRaw('raw', '{}')
    expect(JSON.parse(next.payload)).toMatchObject({ id: next.requestId })
    expect(next.requestId).not.toBe(answered.id)
  })

  it('reads the error type from the body of /error when no header names it', async () => {
    const error = await rejectionOf(host.invoke('raw', { fail: true }))
    expect(error.errorType).toBe('RawFailure')
    expect(error.errorMessage).toBe('asked to fail')
    expect(error.trace).toEqual(['at raw'])
  })
})

describe('process environment start-up', () => {
  it('fails with Runtime.InvalidEntrypoint when the bootstrap is missing, and the host keeps serving', async () => {
    const dir = tempDir('lambdalet-no-bootstrap-')
    const { host } = testHost({
      functions: {
        missing: { runtime: 'process', handler: 'x', codeDir: dir },
        ok: { runtime: 'process', handler: 'function.handler', codeDir: customRuntime },
      },
    })
    const error = await rejectionOf(host.invoke('missing', {}))
    expect(error.errorType).toBe('Runtime.InvalidEntrypoint')
    expect(error.errorMessage).toContain(join(dir, 'bootstrap'))
    expect((await host.invokeRaw('ok', '"x"')).payload).toMatch(/^Echoing request: '"x"'/)
  })

  it('fails with Init timed out when the runtime never asks for an event, and kills it', async () => {
    const dir = tempDir('lambdalet-slow-init-')
    writeFileSync(join(dir, 'bootstrap'), '#!/bin/bash\necho "pid $$"\nexec sleep 300\n')
    chmodSync(join(dir, 'bootstrap'), 0o755)
    const { host, logs } = testHost({
      functions: { slow: { runtime: 'process', handler: 'x', codeDir: dir, initTimeoutMs: 800 } },
    })
    const error = await rejectionOf(host.invoke('slow', {}))
    expect(error.errorType).toBe('Sandbox.Timedout')
    expect(error.errorMessage).toBe('Init timed out after 0.80 seconds')
    await until(() => host.stats().threads === 0)
    expect(logs.some((entry) => entry.kind === 'function' && /^pid \d+$/.test(entry.message))).toBe(true)
  })

  it('evicts an idle process after idleTimeoutMs', async () => {
    const { host } = testHost({
      functions: {
        bash: {
          runtime: 'process',
          handler: 'function.handler',
          codeDir: customRuntime,
          idleTimeoutMs: 300,
        },
      },
    })
    await host.invokeRaw('bash', '1')
    expect(host.stats().functions.bash!.environments.idle).toBe(1)
    await until(() => host.stats().threads === 0)
    await host.invokeRaw('bash', '2')
    expect(host.stats().functions.bash!.coldStarts).toBe(2)
  })
})
