import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionEventInvokeConfigCommand,
  InvalidParameterValueException,
  InvokeCommand,
  PutFunctionEventInvokeConfigCommand,
  ResourceNotFoundException,
  UpdateFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { fixtures, lambdaClient, runCli, spawnServe } from './helpers.js'

const client = lambdaClient

/** A served folder with the gated `record` function and an `audit` one, plus its runs folder. */
function project(): { dir: string; runs: string; ran: () => string[]; began: () => string[]; open: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'lambdalet-async-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  const runs = join(dir, 'runs')
  mkdirSync(runs)
  cpSync(join(fixtures, 'async'), join(dir, 'functions'), { recursive: true })
  cpSync(join(fixtures, 'hello.mjs'), join(dir, 'functions', 'hello.mjs'))
  const started = join(runs, 'started.log')
  writeFileSync(
    join(dir, 'functions', 'lambdalet.json'),
    JSON.stringify({
      functions: {
        // Their handlers wait at a gate the test opens; Lambda's default 3 s
        // timeout could pass while the test is still sending, on a loaded machine.
        record: { handler: 'record.mjs', maxConcurrency: 4, timeoutMs: 120_000, env: { RUNS_DIR: runs } },
        started: { handler: 'started.mjs', maxConcurrency: 4, timeoutMs: 120_000, env: { RUNS_DIR: runs } },
        hello: { handler: 'hello.mjs' },
      },
    }),
  )
  return {
    dir,
    runs,
    ran: () =>
      existsSync(join(runs, 'runs.log')) ? readFileSync(join(runs, 'runs.log'), 'utf8').trim().split('\n') : [],
    began: () =>
      existsSync(started)
        ? readFileSync(started, 'utf8')
            .trim()
            .split('\n')
            .map((line) => line.split(' ')[0] as string)
        : [],
    open: () => writeFileSync(join(runs, 'open'), ''),
  }
}

describe('durable Event invocations', () => {
  it('runs every accepted event after lambdalet serve is killed with SIGKILL and started again on the same store', async () => {
    const { dir, ran, open } = project()
    const store = join(dir, 'store')
    const first = spawnServe([join(dir, 'functions'), '--port', '0', '--store', store])
    const lambda = client(await first.port)
    const keys = Array.from({ length: 100 }, (_, i) => `k${i}`)
    for (const key of keys) {
      const out = await lambda.send(
        new InvokeCommand({ FunctionName: 'record', InvocationType: 'Event', Payload: JSON.stringify({ key }) }),
      )
      expect(out.StatusCode).toBe(202)
    }
    first.child.kill('SIGKILL')
    await first.exited
    expect(ran()).toEqual([])

    const second = spawnServe([join(dir, 'functions'), '--port', '0', '--store', store])
    onTestFinished(async () => {
      second.child.kill('SIGKILL')
      await second.exited
    })
    await second.port
    open()
    await vi.waitFor(() => expect(ran()).toHaveLength(100), { timeout: 30_000, interval: 100 })
    expect([...ran()].sort()).toEqual([...keys].sort())
    // 100 sends, a restart and 100 runs: more than the default 30 s on a loaded 2-core machine.
  }, 90_000)

  it('lets running events finish on SIGTERM and leaves the queued ones in the store for the next start', async () => {
    const { dir, ran, began, open } = project()
    const store = join(dir, 'store')
    const first = spawnServe([join(dir, 'functions'), '--port', '0', '--store', store, '--drain-timeout', '30s'])
    const lambda = client(await first.port)
    const keys = Array.from({ length: 10 }, (_, i) => `s${i}`)
    for (const key of keys) {
      await lambda.send(
        new InvokeCommand({ FunctionName: 'started', InvocationType: 'Event', Payload: JSON.stringify({ key }) }),
      )
    }
    await vi.waitFor(() => expect(began()).toHaveLength(4), { timeout: 10_000 })
    first.child.kill('SIGTERM')
    await first.waitFor(/SIGTERM: shutting down/)
    open()
    expect(await first.exited).toEqual({ code: 0, signal: null })
    // The four that were running finished; nothing else started.
    expect([...ran()].sort()).toEqual([...began()].sort())
    expect(began()).toHaveLength(4)

    const second = spawnServe([join(dir, 'functions'), '--port', '0', '--store', store])
    onTestFinished(async () => {
      second.child.kill('SIGTERM')
      await second.exited
    })
    await vi.waitFor(() => expect(ran()).toHaveLength(10), { timeout: 15_000, interval: 100 })
    expect([...ran()].sort()).toEqual([...keys].sort())
  })

  it('prints the store it uses at start, and refuses a second server on the same directory with exit code 2', async () => {
    const { dir } = project()
    const store = join(dir, 'store')
    const first = spawnServe([join(dir, 'functions'), '--port', '0', '--store', store])
    onTestFinished(async () => {
      first.child.kill('SIGTERM')
      await first.exited
    })
    await first.port
    await first.waitFor(new RegExp(`events: embedded store in ${store}`))
    const second = await runCli(['serve', join(dir, 'functions'), '--port', '0', '--store', store])
    expect(second.code).toBe(2)
    expect(second.stderr.trim()).toBe(
      `cannot open the event store: the store in ${store} is in use by another process (pid ${first.child.pid}); ` +
        'use another --store directory, or a redis:// store to share events between servers',
    )
  })
})

describe('the event-invoke-config API through @aws-sdk/client-lambda', () => {
  it('puts, reads, updates and deletes a config, validated to AWS ranges, and keeps it across a restart on a durable store', async () => {
    const { dir } = project()
    const store = join(dir, 'store')
    const serve = spawnServe([join(dir, 'functions'), '--port', '0', '--store', store])
    const lambda = client(await serve.port)
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:'

    const missing = await lambda
      .send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'record' }))
      .catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(ResourceNotFoundException)

    const put = await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'record',
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: 120,
        DestinationConfig: { OnFailure: { Destination: `${arn}hello` } },
      }),
    )
    expect(put).toMatchObject({
      FunctionArn: `${arn}record:$LATEST`,
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 120,
      DestinationConfig: { OnFailure: { Destination: `${arn}hello` } },
    })
    expect(put.LastModified).toBeInstanceOf(Date)

    const updated = await lambda.send(
      new UpdateFunctionEventInvokeConfigCommand({ FunctionName: 'record', MaximumRetryAttempts: 0 }),
    )
    expect(updated).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 120 })

    const invalid = await lambda
      .send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'record', MaximumRetryAttempts: 3 }))
      .catch((e: unknown) => e)
    expect(invalid).toBeInstanceOf(InvalidParameterValueException)

    serve.child.kill('SIGTERM')
    expect((await serve.exited).code).toBe(0)
    const again = spawnServe([join(dir, 'functions'), '--port', '0', '--store', store])
    onTestFinished(async () => {
      again.child.kill('SIGTERM')
      await again.exited
    })
    const kept = client(await again.port)
    expect(await kept.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'record' }))).toMatchObject({
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 120,
    })
    await kept.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'record' }))
    const gone = await kept
      .send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'record' }))
      .catch((e: unknown) => e)
    expect(gone).toBeInstanceOf(ResourceNotFoundException)
  })
})
