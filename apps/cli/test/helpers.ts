import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { connect } from 'node:net'
import { fileURLToPath } from 'node:url'
import { LambdaClient } from '@aws-sdk/client-lambda'
import { onTestFinished } from 'vitest'
import type { FunctionDefinition } from '../src/config/function-definition.js'
import { type RunningServer, type StartServerOptions, startServer } from '../src/server/start-server.js'

export const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url))
export const cliBin = fileURLToPath(new URL('../bin/lambdalet.js', import.meta.url))

/** A function from `test/fixtures/<file>`, with no HTTP routes unless given. */
export function fixture(file: string, settings: Partial<FunctionDefinition> = {}): FunctionDefinition {
  return { handler: file, codeDir: fixtures, routes: [], ...settings }
}

/** A server on 127.0.0.1 and a free port, logging nothing. */
export function startTestServer(
  options: Partial<StartServerOptions> & Pick<StartServerOptions, 'functions'>,
): Promise<RunningServer> {
  return startServer({ port: 0, logs: false, logger: () => {}, ...options })
}

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs `lambdalet …` to completion. */
export function runCli(args: string[], input?: string): Promise<CliResult> {
  const child = spawn(process.execPath, [cliBin, ...args], { cwd: fixtures })
  if (input !== undefined) child.stdin.end(input)
  else child.stdin.end()
  return collect(child)
}

export function collect(child: ChildProcessWithoutNullStreams): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

/** Starts `lambdalet serve …`; `lines` collects stdout, `waitFor` resolves when a line matches. */
export function spawnServe(args: string[], cwd = fixtures, env: NodeJS.ProcessEnv = process.env) {
  // The default store is a directory in the served folder: tests that do not
  // choose one keep their events in memory, so no run inherits another's.
  const store = args.includes('--store') ? [] : ['--store', 'memory']
  const child = spawn(process.execPath, [cliBin, 'serve', ...args, ...store], { cwd, env })
  const lines: string[] = []
  const waiters: Array<{ pattern: RegExp; count: number; resolve: (match: RegExpMatchArray) => void }> = []
  let buffered = ''
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk
    const parts = buffered.split('\n')
    buffered = parts.pop() as string
    lines.push(...parts)
    for (const waiter of [...waiters]) check(waiter)
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  function check(waiter: (typeof waiters)[number]): void {
    const matches = lines.map((line) => line.match(waiter.pattern)).filter((m) => m !== null)
    if (matches.length >= waiter.count) {
      waiters.splice(waiters.indexOf(waiter), 1)
      waiter.resolve(matches[waiter.count - 1] as RegExpMatchArray)
    }
  }
  /** Resolves with the `count`-th stdout line matching `pattern`; rejects if the process exits first. */
  function waitFor(pattern: RegExp, count = 1): Promise<RegExpMatchArray> {
    const found = new Promise<RegExpMatchArray>((resolve) => {
      const waiter = { pattern, count, resolve }
      waiters.push(waiter)
      check(waiter)
    })
    const died = exited.then(({ code }) => {
      throw new Error(`lambdalet serve exited (${code}) before printing ${pattern}\n${stderr}`)
    })
    return Promise.race([found, died])
  }
  const port = waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/).then((match) => Number(match[1]))
  return { child, lines, waitFor, port, exited, stderr: () => stderr }
}

/** `spawnServe`, killed with SIGKILL when the test ends if it still runs. */
export function spawnServeInTest(args: string[], cwd = fixtures): ReturnType<typeof spawnServe> {
  const instance = spawnServe(args, cwd)
  onTestFinished(async () => {
    instance.child.kill('SIGKILL')
    await instance.exited
  })
  return instance
}

export interface RawExchange {
  /** Everything the server sent. */
  response: string
  /** The server closed the connection (rather than our timeout). */
  closedByServer: boolean
  elapsedMs: number
}

/**
 * Writes `request` on a raw socket and collects the answer until the server
 * closes the connection or `timeoutMs` passes. For requests `fetch` would
 * refuse to send.
 */
export function rawExchange(port: number, request: string | Buffer, timeoutMs = 5_000): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const socket = connect(port, '127.0.0.1')
    let response = ''
    const timer = setTimeout(() => finish(false), timeoutMs)
    const finish = (closedByServer: boolean): void => {
      clearTimeout(timer)
      socket.destroy()
      resolve({ response, closedByServer, elapsedMs: Date.now() - started })
    }
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => (response += chunk))
    socket.on('end', () => finish(true))
    socket.on('close', () => finish(true))
    // A reset after the server answered still counts as its answer.
    socket.on('error', (error) => (response === '' ? reject(error) : finish(true)))
    socket.write(request)
  })
}

export const invokePath = (name: string): string => `/2015-03-31/functions/${name}/invocations`

/** The AWS SDK's Lambda client on a server of ours: any static credentials, no retries (a 429 must show). */
export function lambdaClient(endpoint: string | number): LambdaClient {
  return new LambdaClient({
    endpoint: typeof endpoint === 'number' ? `http://127.0.0.1:${endpoint}` : endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  })
}
