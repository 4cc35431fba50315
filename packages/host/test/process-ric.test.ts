import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { FunctionOptions, LogEntry } from '../src/index.js'
import { fixture, rejectionOf, suiteHost, testHost, until } from './helpers.js'
import { alive, ric } from './process-helpers.js'

// The official Node runtime client (aws-lambda-ric 4, its native libcurl
// client included) running ordinary handlers in child processes.
const codeDir = fixture('process')

function node(handler: string, options: Partial<FunctionOptions> = {}): FunctionOptions {
  return { runtime: 'process', command: [ric], handler, codeDir, ...options }
}

function functionLines(logs: LogEntry[], requestId?: string): string[] {
  return logs.flatMap((entry) =>
    entry.kind === 'function' && (requestId === undefined || entry.requestId === requestId) ? [entry.message] : [],
  )
}

describe('process environments running aws-lambda-ric', () => {
  const { host, logs } = suiteHost({
    functions: {
      echo: node('echo.handler', { maxConcurrency: 2 }),
      errors: node('errors.handler', { timeoutMs: 1500, maxConcurrency: 1 }),
      context: node('context.handler', { timeoutMs: 7000, memoryMb: 256, env: { GREETING: 'hi' } }),
      broken: node('init-throws.handler'),
      callback: node('callback.handler'),
      multiline: node('multiline.handler'),
    },
  })

  it('returns the handler result and reuses the warm process for the next event', async () => {
    const first = (await host.invoke('echo', { n: 1 })) as { event: unknown; pid: number; served: number }
    const second = (await host.invoke('echo', { n: 2 })) as { event: unknown; pid: number; served: number }
    expect(first).toMatchObject({ event: { n: 1 }, served: 1 })
    expect(second).toMatchObject({ event: { n: 2 }, served: 2, pid: first.pid })
    expect(host.stats().functions.echo!.coldStarts).toBe(1)
  })

  it('reports Init Duration on the cold start only, and the function lines tagged with their invocation in Tail', async () => {
    const { logResult, result } = await host.invoke<{ requestId: string }>('echo', { tail: true }, { logType: 'Tail' })
    expect(logResult).toMatch(new RegExp(`\\t${result.requestId}\\tINFO\\techo \\{"tail":true\\}\\n`))
    expect(logResult).toMatch(/^START RequestId: .*\nEND RequestId: .*\nREPORT RequestId: .*Max Memory Used: \d+ MB/s)
    const reports = logs.filter((entry) => entry.kind === 'report' && entry.functionName === 'echo')
    expect(reports[0]).toMatchObject({ report: { initDurationMs: expect.any(Number) } })
    expect(
      reports.slice(1).every((entry) => entry.kind === 'report' && entry.report.initDurationMs === undefined),
    ).toBe(true)
    expect(functionLines(logs, result.requestId)).toEqual(['echo {"tail":true}'])
  })

  it('keeps a message of several lines as one log line, with its level', async () => {
    const result = await host.invokeRaw('multiline', '{}')
    expect(JSON.parse(result.payload)).toBe('ok')
    const entries = logs.filter((entry) => entry.kind === 'function' && entry.requestId === result.requestId)
    expect(entries.map((entry) => entry.kind === 'function' && [entry.level, entry.message.split('\n')[0]])).toEqual([
      ['INFO', 'first'],
      ['ERROR', 'Error: with a stack'],
    ])
    expect(entries[0]).toMatchObject({ message: 'first\nsecond' })
    expect(entries[1]).toMatchObject({ message: expect.stringMatching(/^Error: with a stack\n\s+at .*multiline\.mjs/) })
  })

  it('fails with the thrown error type, message and stack, and the process keeps serving', async () => {
    const error = await rejectionOf(host.invoke('errors', { kind: 'throw', value: 'x' }))
    expect(error.errorType).toBe('ValidationFailed')
    expect(error.errorMessage).toBe('bad input: "x"')
    expect((error.trace as string[])[0]).toBe('ValidationFailed: bad input: "x"')
    expect((error.trace as string[]).join('\n')).toContain('errors.mjs:')
    const cold = host.stats().functions.errors!.coldStarts
    expect(await host.invoke('errors', { kind: 'ok' })).toBe('ok')
    expect(host.stats().functions.errors!.coldStarts).toBe(cold)
  })

  it('answers Sandbox.Timedout at the deadline and kills the process group, its child included', async () => {
    const started = Date.now()
    const error = await rejectionOf(host.invoke('errors', { kind: 'hang' }))
    expect(error.errorType).toBe('Sandbox.Timedout')
    expect(error.errorMessage).toBe('Task timed out after 1.50 seconds')
    expect(Date.now() - started).toBeGreaterThanOrEqual(1450)
    const line = functionLines(logs).find((message) => message.startsWith('pids '))!
    const [runtimePid, childPid] = line.split(' ').slice(1).map(Number) as [number, number]
    await until(() => !alive(runtimePid) && !alive(childPid))
    expect(await host.invoke('errors', { kind: 'ok' })).toBe('ok')
  })

  it('fails with Runtime.ExitError and the exit status when the process exits, then starts a fresh one', async () => {
    const error = await rejectionOf(host.invoke('errors', { kind: 'exit', code: 42 }))
    expect(error.errorType).toBe('Runtime.ExitError')
    expect(error.errorMessage).toMatch(/^RequestId: \S+ Error: Runtime exited with error: exit status 42$/)
    const cold = host.stats().functions.errors!.coldStarts
    expect(await host.invoke('errors', { kind: 'ok' })).toBe('ok')
    expect(host.stats().functions.errors!.coldStarts).toBe(cold + 1)
  })

  it('names the signal that ended the process in its Runtime.ExitError', async () => {
    const error = await rejectionOf(host.invoke('errors', { kind: 'signal', signal: 'SIGSEGV' }))
    expect(error.errorType).toBe('Runtime.ExitError')
    expect(error.errorMessage).toMatch(/Error: Runtime exited with error: signal: segmentation fault$/)
    expect(await host.invoke('errors', { kind: 'ok' })).toBe('ok')
  })

  it('kills a process whose RSS passes memoryMb with Runtime.OutOfMemory', async () => {
    const error = await rejectionOf(host.invoke('errors', { kind: 'memory', mb: 200 }))
    expect(error.errorType).toBe('Runtime.OutOfMemory')
    expect(error.errorMessage).toContain('Runtime exited with error: signal: killed')
    expect(await host.invoke('errors', { kind: 'ok' })).toBe('ok')
  })

  it('fails a result over 6 MB with Function.ResponseSizeTooLarge, and the process keeps serving', async () => {
    const error = await rejectionOf(host.invoke('errors', { kind: 'large', bytes: 7 * 1024 * 1024 }))
    expect(error.errorType).toBe('Function.ResponseSizeTooLarge')
    const cold = host.stats().functions.errors!.coldStarts
    expect(await host.invoke('errors', { kind: 'ok' })).toBe('ok')
    expect(host.stats().functions.errors!.coldStarts).toBe(cold)
  })

  it('fails with the init error the client reported, and tries again on the next invocation', async () => {
    const error = await rejectionOf(host.invoke('broken', {}))
    expect(error.errorType).toBe('TypeError')
    expect(error.errorMessage).toBe('cannot start: no config')
    const again = await rejectionOf(host.invoke('broken', {}))
    expect(again.errorType).toBe('TypeError')
    expect(host.stats().functions.broken!.coldStarts).toBe(2)
  })

  it('fails a callback-style handler with the Runtime.CallbackHandlerDeprecated the client reports at init', async () => {
    const error = await rejectionOf(host.invoke('callback', {}))
    expect(error.errorType).toBe('Runtime.CallbackHandlerDeprecated')
    expect(error.errorMessage).toContain('callback-based function handlers')
  })

  it('gives the handler its context, the remaining time, the trace id and client context', async () => {
    const started = Date.now()
    const result = (await host.invoke(
      'context',
      {},
      {
        requestId: 'c0ffee00-0000-4000-8000-000000000001',
        traceId: 'Root=1-5e1b4151-5ac6c58f3375aa3c7c6b73b9;Parent=1;Sampled=1',
        clientContext: { custom: { app: 'test' } },
      },
    )) as Record<string, any>
    expect(result).toMatchObject({
      awsRequestId: 'c0ffee00-0000-4000-8000-000000000001',
      functionName: 'context',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:context',
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/context',
      logStreamName: expect.stringMatching(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/),
      clientContext: { custom: { app: 'test' } },
      traceId: 'Root=1-5e1b4151-5ac6c58f3375aa3c7c6b73b9;Parent=1;Sampled=1',
      cwd: codeDir.replace(/\/$/, ''),
    })
    // Measured inside the handler against a 7 s deadline set when the event was handed over.
    expect(result.remainingMs).toBeGreaterThan(7000 - (Date.now() - started) - 50)
    expect(result.remainingMs).toBeLessThanOrEqual(7000)
  })

  it("gives the process Lambda's environment and nothing else of the host's", async () => {
    process.env['LAMBDALET_TEST_HOST_SECRET'] = 'must-not-leak'
    const { host: fresh } = testHost({ functions: { context: node('context.handler', { env: { GREETING: 'hi' } }) } })
    const { env, execArgv } = (await fresh.invoke('context', {})) as { env: Record<string, string>; execArgv: string[] }
    delete process.env['LAMBDALET_TEST_HOST_SECRET']
    expect(env).toMatchObject({
      AWS_LAMBDA_FUNCTION_NAME: 'context',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/context',
      AWS_LAMBDA_LOG_STREAM_NAME: expect.any(String),
      AWS_LAMBDA_RUNTIME_API: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      AWS_REGION: 'us-east-1',
      LAMBDA_TASK_ROOT: codeDir.replace(/\/$/, ''),
      _HANDLER: 'context.handler',
      TZ: ':UTC',
      GREETING: 'hi',
      // No credentials in the host's environment: the dummy ones every function gets.
      AWS_ACCESS_KEY_ID: 'ASIALAMBDALETLOCAL00',
      AWS_SECRET_ACCESS_KEY: expect.any(String),
      NODE_OPTIONS: '--max-semi-space-size=6 --max-old-space-size=116',
    })
    // Lambda's form: this Node's folder first, so that the client finds `node`.
    const path = env['PATH']!.split(':')
    expect(path[0]).toBe(dirname(process.execPath))
    expect(new Set(path)).toEqual(new Set([dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin']))
    expect(env['LAMBDALET_TEST_HOST_SECRET']).toBeUndefined()
    expect(env['HOME']).toBeUndefined()
    // Only what Lambda sets, what the runtime client adds, and what the shell of pnpm's bin shim adds.
    const shim = ['NODE_PATH', 'PWD', '_X_AMZN_TRACE_ID']
    const unexpected = Object.keys(env).filter((key) => !/^(AWS_|LAMBDA_|_HANDLER$)/.test(key) && !shim.includes(key))
    expect(unexpected.sort()).toEqual(['GREETING', 'LANG', 'NODE_OPTIONS', 'PATH', 'TZ'])
    expect(execArgv).toEqual([])
  })
})

describe('process environments under load', () => {
  it('serves 1,000 invocations at concurrency 8 across processes, every result matched to its event', async () => {
    const { host } = testHost({ functions: { echo: node('echo.handler', { maxConcurrency: 8 }) } })
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        host.invokeRaw('echo', JSON.stringify({ i }), {
          requestId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        }),
      ),
    )
    const pids = new Set<number>()
    results.forEach((raw, i) => {
      expect(raw.functionError).toBe(false)
      const body = JSON.parse(raw.payload) as { event: { i: number }; requestId: string; pid: number }
      expect(body.event.i).toBe(i)
      expect(body.requestId).toBe(raw.requestId)
      expect(raw.requestId).toBe(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`)
      pids.add(body.pid)
    })
    const stats = host.stats().functions.echo!
    expect(stats.invocations).toBe(1000)
    expect(stats.errors).toBe(0)
    expect(pids.size).toBeGreaterThan(1)
    expect(pids.size).toBeLessThanOrEqual(8)
    expect(stats.coldStarts).toBe(pids.size)
  })

  it('ends every process on close()', async () => {
    const { host } = testHost({ functions: { echo: node('echo.handler', { minWarm: 3, maxConcurrency: 3 }) } })
    await until(() => host.stats().functions.echo!.environments.idle === 3)
    const pids = await Promise.all([1, 2, 3].map(async () => ((await host.invoke('echo', {})) as { pid: number }).pid))
    expect(pids.every(alive)).toBe(true)
    await host.close()
    expect(host.stats().threads).toBe(0)
    await until(() => !pids.some(alive))
  })
})

/**
 * A gate the handler in another process waits at: its `GET /{i}` is
 * answered only once the test opened step `i`.
 */
async function gate(): Promise<{ url: string; open(step: number): void; close(): void }> {
  const opened = new Set<number>()
  const waiting = new Map<number, ServerResponse>()
  const server = createServer((request, response) => {
    const step = Number(request.url!.slice(1))
    if (opened.has(step)) response.end('go')
    else waiting.set(step, response)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    open(step) {
      opened.add(step)
      waiting.get(step)?.end('go')
    },
    close() {
      server.close()
      server.closeAllConnections()
    },
  }
}

describe('response streaming from aws-lambda-ric', () => {
  const decoder = new TextDecoder()
  const { host, logs } = suiteHost({
    functions: {
      streaming: node('streaming.stepped'),
      failing: node('streaming.failsMidStream'),
      hanging: node('streaming.hangsMidStream', { timeoutMs: 1000 }),
      big: node('streaming.big', { maxStreamBytes: 1024 * 1024 }),
    },
  })

  it('hands the reader each chunk the process streams before the handler writes the next', async () => {
    const steps = await gate()
    try {
      const response = await host.invokeStream('streaming', { gate: steps.url, chunks: ['one', 'two', 'three'] })
      expect(response).toMatchObject({ streamed: true, contentType: 'text/plain' })
      const reader = response.body.getReader()
      const seen: string[] = []
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        seen.push(decoder.decode(value))
        // The handler writes its next chunk only after this.
        steps.open(seen.length)
      }
      expect(seen).toEqual(['one', 'two', 'three'])
      expect(await response.completion).toEqual({})
    } finally {
      steps.close()
    }
  })

  it('ends the stream with the error a handler throws after writing, sent in the trailers', async () => {
    const response = await host.invokeStream('failing', {}, { logType: 'Tail' })
    const reader = response.body.getReader()
    expect(decoder.decode((await reader.read()).value)).toBe('partial ')
    const failure = await rejectionOf(reader.read())
    expect(failure).toMatchObject({ errorType: 'RangeError', errorMessage: 'died mid-stream' })
    const completion = await response.completion
    expect(completion.error).toMatchObject({ errorType: 'RangeError', errorMessage: 'died mid-stream' })
    expect(completion.logResult).toMatch(/REPORT RequestId: .*\tStatus: error/)
    expect(logs.some((entry) => entry.kind === 'report' && entry.functionName === 'failing')).toBe(true)
    // The process survives its handler's error and serves again.
    const cold = host.stats().functions.failing!.coldStarts
    await (await host.invokeStream('failing', {})).completion
    expect(host.stats().functions.failing!.coldStarts).toBe(cold)
  })

  it('ends a stream the process leaves open at the deadline with Sandbox.Timedout', async () => {
    const response = await host.invokeStream('hanging', {})
    const reader = response.body.getReader()
    expect(decoder.decode((await reader.read()).value)).toBe('partial ')
    expect(await rejectionOf(reader.read())).toMatchObject({ errorType: 'Sandbox.Timedout' })
    expect((await response.completion).error).toMatchObject({
      errorType: 'Sandbox.Timedout',
      errorMessage: 'Task timed out after 1.00 seconds',
    })
    expect(host.stats().functions.hanging!.timeouts).toBe(1)
  })

  it('fails a stream past maxStreamBytes with Function.ResponseSizeTooLarge, and starts a fresh process', async () => {
    const response = await host.invokeStream('big', { megabytes: 4 })
    const failure = await rejectionOf(
      (async () => {
        for await (const _chunk of response.body) {
          // Read it all, as a client would.
        }
      })(),
    )
    expect(failure).toMatchObject({ errorType: 'Function.ResponseSizeTooLarge' })
    expect((await response.completion).error?.errorMessage).toContain('(1048576 bytes)')
    const again = await host.invokeStream('big', { megabytes: 0.5 })
    let bytes = 0
    for await (const chunk of again.body) bytes += chunk.byteLength
    expect(bytes).toBe(512 * 1024)
    expect(await again.completion).toEqual({})
    expect(host.stats().functions.big!.coldStarts).toBe(2)
  })
})
