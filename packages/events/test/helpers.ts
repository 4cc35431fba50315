import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createHost, type FunctionOptions, type Host } from '@lambdalet/host'
import { onTestFinished } from 'vitest'
import type { EventLogRecord } from '../src/event-logger.js'
import type { EventQueue } from '../src/event-queue.js'
import { createEventQueue, type EventQueueOptions } from '../src/index.js'

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url))

export interface Setup {
  host: Host
  queue: EventQueue
  /** Where fixtures write their runs and records. */
  dir: string
  logs: EventLogRecord[]
  /** Run times (ms) of the event with `key`, in order. */
  runs(key: string): number[]
  /** What the recorder destination received, parsed. */
  records(): Array<Record<string, any>>
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lambdalet-events-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A real host running `functions` (fixture file names) and an event queue on it, closed after the test. */
export async function setup(
  functions: Record<string, Partial<FunctionOptions> & { handler: string }>,
  options: Omit<EventQueueOptions, 'invoker'> = {},
): Promise<Setup> {
  const dir = tempDir()
  const host = createHost({
    logs: false,
    functions: Object.fromEntries(
      Object.entries(functions).map(([name, fn]) => [name, { codeDir: fixtures, env: { RUNS_DIR: dir }, ...fn }]),
    ),
  })
  const logs: EventLogRecord[] = []
  const queue = await createEventQueue({
    store: 'memory',
    logger: (record) => logs.push(record),
    ...options,
    invoker: host,
  })
  onTestFinished(async () => {
    await queue.close(1_000)
    await host.close()
  })
  const read = (file: string): string[] =>
    existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8').trim().split('\n').filter(Boolean) : []
  return {
    host,
    queue,
    dir,
    logs,
    runs: (key) => read(`${key}.runs`).map((line) => Number(line.split(' ')[0])),
    records: () => read('records.jsonl').map((line) => JSON.parse(line) as Record<string, any>),
  }
}
