import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SQSClient } from '@aws-sdk/client-sqs'
import type { QueueMapping, QueueSettings } from '@lambdalet/events'
import { onTestFinished } from 'vitest'
import type { FunctionDefinition } from '../src/config/function-definition.js'
import type { RunningServer, StartServerOptions } from '../src/server/start-server.js'
import { fixture, startTestServer } from './helpers.js'

/** The AWS SDK's SQS client on a server of ours: any static credentials, no retries. */
export function sqsClient(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  })
}

/** What `sqs/consumer.mjs` was handed: one array of records per batch. */
export type Batch = Array<{
  messageId: string
  body: string
  attributes: Record<string, string>
  [key: string]: unknown
}>

export interface QueueServer {
  server: RunningServer
  sqs: SQSClient
  runs: string
  /** The batches the consumer received, in order. */
  batches(): Batch[]
  /** Lets a GATED consumer return. */
  open(): void
  queueUrl(name: string): string
}

/**
 * A server whose `consumer` function (test/fixtures/sqs/consumer.mjs) is fed
 * by `mapping` from the `queues` given, and an SDK client on it.
 */
export async function queueServer(options: {
  queues: Record<string, QueueSettings>
  mapping?: Omit<QueueMapping, 'functionName'>
  consumer?: Partial<FunctionDefinition>
  functions?: Record<string, FunctionDefinition>
  server?: Partial<StartServerOptions>
}): Promise<QueueServer> {
  const runs = mkdtempSync(join(tmpdir(), 'lambdalet-sqs-'))
  const { queue, ...settings } = options.mapping ?? {}
  const consumer = fixture('sqs/consumer.mjs', {
    // A gated batch may wait for seconds on a loaded machine; timing out would
    // send it back for a visibility timeout.
    timeoutMs: 60_000,
    ...options.consumer,
    env: { RUNS_DIR: runs, ...options.consumer?.env },
    // Mapped as a config file maps it: an `sqs` entry in the function's events.
    ...(queue === undefined ? {} : { events: [{ sqs: queue, ...settings }] }),
  })
  const server = await startTestServer({
    functions: { consumer, ...options.functions },
    queues: options.queues,
    ...options.server,
  })
  const sqs = sqsClient(server.url)
  onTestFinished(async () => {
    writeFileSync(join(runs, 'open'), '')
    sqs.destroy()
    await server.close()
    rmSync(runs, { recursive: true, force: true })
  })
  const file = join(runs, 'batches.jsonl')
  return {
    server,
    sqs,
    runs,
    batches: () =>
      existsSync(file)
        ? readFileSync(file, 'utf8')
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as Batch)
        : [],
    open: () => writeFileSync(join(runs, 'open'), ''),
    queueUrl: (name) => `${server.url}/000000000000/${name}`,
  }
}
