import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InvokeCommand } from '@aws-sdk/client-lambda'
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs'
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest'
// The events package's own harness: a real redis-server on a free port.
import { type RedisServer, startRedisServer } from '../../../packages/events/test/redis-server.js'
import { fixtures, lambdaClient, runCli, spawnServeInTest } from './helpers.js'
import { queueServer } from './sqs-helpers.js'

const client = lambdaClient

const lines = (file: string): string[] =>
  existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : []

describe('two lambdalet serve instances sharing one Redis', () => {
  let redis: RedisServer
  beforeAll(async () => {
    redis = await startRedisServer()
  })
  afterAll(async () => {
    await redis?.stop()
  })

  it('share the work, and when one is killed with SIGKILL every event still runs, none twice but those it held', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambdalet-redis-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    const runs = join(dir, 'runs')
    mkdirSync(runs)
    mkdirSync(join(dir, 'functions'))
    cpSync(join(fixtures, 'async', 'started.mjs'), join(dir, 'functions', 'started.mjs'))
    writeFileSync(
      join(dir, 'functions', 'lambdalet.json'),
      JSON.stringify({
        leaseMs: 2000,
        functions: { started: { handler: 'started.mjs', maxConcurrency: 3, env: { RUNS_DIR: runs } } },
      }),
    )
    const serve = () => spawnServeInTest([join(dir, 'functions'), '--port', '0', '--store', redis.url])
    const a = serve()
    const b = serve()
    const [portA, portB] = await Promise.all([a.port, b.port])
    await a.waitFor(new RegExp(`events: .*${redis.url.replace('redis://', '')}`))

    // Sent to both; either may run any of them.
    const keys = Array.from({ length: 30 }, (_, i) => `k${i}`)
    await Promise.all(
      keys.map(async (key, i) => {
        const out = await client(i % 2 === 0 ? portA : portB).send(
          new InvokeCommand({ FunctionName: 'started', InvocationType: 'Event', Payload: JSON.stringify({ key }) }),
        )
        expect(out.StatusCode).toBe(202)
      }),
    )
    // Each instance takes only what it has room for (3), the rest wait in Redis.
    const startedBy = () => lines(join(runs, 'started.log')).map((line) => line.split(' ') as [string, string])
    await vi.waitFor(() => expect(startedBy()).toHaveLength(6), { timeout: 15_000 })
    const pids = new Set(startedBy().map(([, pid]) => pid))
    expect(pids.size).toBe(2)

    // a's worker threads share a's pid: what a held at the kill is what it started.
    const aPid = String(a.child.pid)
    const heldByA = startedBy()
      .filter(([, pid]) => pid === aPid)
      .map(([key]) => key)
    expect(heldByA).toHaveLength(3)
    a.child.kill('SIGKILL')
    await a.exited
    writeFileSync(join(runs, 'open'), '')

    // b finishes its own, then everything left, then a's three once their leases lapse.
    await vi.waitFor(() => expect(new Set(lines(join(runs, 'runs.log'))).size).toBe(30), {
      timeout: 40_000,
      interval: 200,
    })
    const ran = lines(join(runs, 'runs.log'))
    expect([...new Set(ran)].sort()).toEqual([...keys].sort())
    const twice = ran.filter((key, i) => ran.indexOf(key) !== i)
    for (const key of twice) expect(heldByA).toContain(key)
  })

  it('share SQS queues: a message sent to one is received from the other and deleted through the first, and a mapping on a third consumes it', async () => {
    // The same config on every instance, as one lambdalet.json would give.
    const queues = { shared: { visibilityTimeoutSeconds: 30 }, mapped: {} }
    const a = await queueServer({ queues, server: { store: redis.url } })
    const b = await queueServer({ queues, server: { store: redis.url } })
    await a.sqs.send(new SendMessageCommand({ QueueUrl: a.queueUrl('shared'), MessageBody: 'from a' }))
    const { Messages } = await b.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: b.queueUrl('shared'),
        WaitTimeSeconds: 20,
        MessageSystemAttributeNames: ['All'],
      }),
    )
    expect(Messages?.map((m) => [m.Body, m.Attributes?.['ApproximateReceiveCount']])).toEqual([['from a', '1']])
    // Received through b, deleted through a: the handle carries b's lease on the job.
    await a.sqs.send(
      new DeleteMessageCommand({ QueueUrl: a.queueUrl('shared'), ReceiptHandle: Messages?.[0]?.ReceiptHandle }),
    )
    const counts = async () =>
      (await b.sqs.send(new GetQueueAttributesCommand({ QueueUrl: b.queueUrl('shared'), AttributeNames: ['All'] })))
        .Attributes
    await vi.waitFor(
      async () =>
        expect(await counts()).toMatchObject({
          ApproximateNumberOfMessages: '0',
          ApproximateNumberOfMessagesNotVisible: '0',
        }),
      { timeout: 10_000, interval: 100 },
    )

    const c = await queueServer({ queues, mapping: { queue: 'mapped' }, server: { store: redis.url } })
    await a.sqs.send(new SendMessageCommand({ QueueUrl: a.queueUrl('mapped'), MessageBody: '{"via":"a"}' }))
    await vi.waitFor(
      () =>
        expect(
          c
            .batches()
            .flat()
            .map((record) => record.body),
        ).toEqual(['{"via":"a"}']),
      {
        timeout: 20_000,
        interval: 50,
      },
    )
  })

  it('refuses to start when Redis cannot be reached, with one line and exit code 2', async () => {
    const unused = await startRedisServer()
    const url = unused.url
    await unused.stop()
    const result = await runCli(['serve', join(fixtures), '--port', '0', '--store', url])
    expect(result.code).toBe(2)
    const stderr = result.stderr.trim()
    expect(stderr.split('\n')).toHaveLength(1)
    expect(stderr).toMatch(new RegExp(`^cannot open the event store: cannot reach the store at ${url}`))
  })
})
