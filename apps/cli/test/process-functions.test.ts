import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { GetFunctionConfigurationCommand, InvokeCommand } from '@aws-sdk/client-lambda'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { ConfigError } from '../src/config/config-error.js'
import { loadProject } from '../src/config/load-project.js'
import { lambdaClient, spawnServe } from './helpers.js'

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url))

function serve(dir: string) {
  const server = spawnServe([dir, '--port', '0'])
  onTestFinished(async () => {
    server.child.kill('SIGKILL')
    await server.exited
  })
  return server
}

/** A project folder holding only `lambdalet.json` and an executable `bootstrap` in `fn/`. */
function project(config: unknown, bootstrap: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lambdalet-process-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'fn'))
  writeFileSync(join(dir, 'lambdalet.json'), JSON.stringify(config))
  writeFileSync(join(dir, 'fn', 'bootstrap'), bootstrap)
  chmodSync(join(dir, 'fn', 'bootstrap'), 0o755)
  return dir
}

describe('process functions under lambdalet serve', () => {
  it('invokes the bash custom runtime of examples/ with the AWS SDK, describes it as provided.al2023, and ends its process on SIGTERM', async () => {
    const server = serve(examples)
    const lambda = lambdaClient(await server.port)
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: 'shell', Payload: JSON.stringify({ from: 'sdk' }), LogType: 'Tail' }),
    )
    expect(out.StatusCode).toBe(200)
    expect(out.FunctionError).toBeUndefined()
    const payload = Buffer.from(out.Payload!).toString()
    expect(payload).toMatch(/^Echoing request: '\{"from":"sdk"\}' from \d+$/)
    const tail = Buffer.from(out.LogResult!, 'base64').toString()
    expect(tail).toMatch(/^START RequestId: .*\nREPORT RequestId: .*Init Duration: [\d.]+ ms/s)
    const configuration = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'shell' }))
    expect(configuration).toMatchObject({ Runtime: 'provided.al2023', Handler: 'function.handler' })
    const pid = Number(payload.split(' from ')[1])
    expect(existsSync(`/proc/${pid}`)).toBe(true)
    server.child.kill('SIGTERM')
    expect(await server.exited).toEqual({ code: 0, signal: null })
    await vi.waitFor(() => expect(existsSync(`/proc/${pid}`)).toBe(false), { timeout: 10_000 })
  })

  it('answers a runtime that exits during init with Runtime.ExitError, and keeps serving', async () => {
    const dir = project(
      {
        functions: {
          dies: { runtime: 'process', handler: 'x', codeDir: 'fn' },
          hello: { handler: 'hello.mjs' },
        },
      },
      '#!/bin/bash\necho "cannot start" >&2\nexit 3\n',
    )
    writeFileSync(join(dir, 'hello.mjs'), "export const handler = async () => 'hello'\n")
    const server = serve(dir)
    const lambda = lambdaClient(await server.port)
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'dies', Payload: '{}' }))
    expect(out.FunctionError).toBe('Unhandled')
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toMatchObject({
      errorType: 'Runtime.ExitError',
      errorMessage: 'Error: Runtime exited with error: exit status 3',
    })
    const hello = await lambda.send(new InvokeCommand({ FunctionName: 'hello', Payload: '{}' }))
    expect(Buffer.from(hello.Payload!).toString()).toBe('"hello"')
  })
})

describe('process functions in lambdalet.json', () => {
  it('reports a missing bootstrap and a command without runtime "process" before anything starts', async () => {
    const dir = project({ functions: { a: { runtime: 'process', handler: 'x', codeDir: '.' } } }, '')
    const error = await loadProject({ dir }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect(String((error as Error).message)).toMatch(
      /functions\.a\.codeDir: expected a `bootstrap` executable in the code directory, got nothing runnable at /,
    )
    const other = project({ functions: { b: { handler: 'x.mjs', command: ['./run'] } } }, '')
    const second = await loadProject({ dir: other }).catch((e: unknown) => e)
    expect(String((second as Error).message)).toContain('functions.b.command: only for "runtime": "process"')
  })
})
