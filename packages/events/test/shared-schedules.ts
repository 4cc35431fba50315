import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createHost } from '@lambdalet/host'
import { expect, it, onTestFinished, vi } from 'vitest'
import type { BullmqStoreOptions } from '../src/bullmq-store.js'
import { createBullmqStore } from '../src/bullmq-store.js'
import { createEventQueue, type ScheduleOptions } from '../src/index.js'
import { tempDir } from './helpers.js'

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url))

/** What schedules on a store several instances share must do; called inside a `describe`. */
export function sharedScheduleTests(where: string, storeOptions: () => BullmqStoreOptions): void {
  /** An instance: a real host and an event queue on the shared store, both closed after the test. */
  async function instance(dir: string, options: BullmqStoreOptions, schedules: ScheduleOptions[]) {
    const host = createHost({
      logs: false,
      functions: { recorder: { handler: 'recorder.mjs', codeDir: fixtures, env: { RUNS_DIR: dir } } },
    })
    const queue = await createEventQueue({
      invoker: host,
      store: await createBullmqStore(options),
      logger: () => {},
      schedules,
    })
    let closed = false
    const close = async () => {
      if (closed) return
      closed = true
      await queue.close(1_000)
      await host.close()
    }
    onTestFinished(close)
    return { queue, close }
  }
  const records = (dir: string): Array<Record<string, any>> => {
    const file = join(dir, 'records.jsonl')
    if (!existsSync(file)) return []
    return readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, any>)
  }
  const schedules: ScheduleOptions[] = [{ functionName: 'recorder', schedule: 'rate(1 second)' }]

  it(`fires each tick once in all when two instances share ${where}`, async () => {
    const dir = tempDir()
    const options = storeOptions()
    const a = await instance(dir, options, schedules)
    const b = await instance(dir, options, schedules)
    await vi.waitFor(() => expect(records(dir).length).toBeGreaterThanOrEqual(6), { timeout: 30_000, interval: 100 })
    await a.close()
    await b.close()
    const seen = records(dir)
    const times = seen.map((event) => Date.parse(event.time))
    // Every record a different tick: no tick ran on both instances.
    expect(new Set(seen.map((event) => event.id)).size).toBe(seen.length)
    expect(new Set(times).size).toBe(seen.length)
    const sorted = [...times].sort((x, y) => x - y)
    for (let i = 1; i < sorted.length; i++) expect((sorted[i]! - sorted[i - 1]!) % 1000).toBe(0)
    const fired = [a, b].reduce((sum, { queue }) => sum + queue.scheduleStats()['recorder-schedule-1']!.ticks, 0)
    expect(fired).toBe(seen.length)
  })

  it(`does not replay a tick that fell due while no instance ran on ${where}`, async () => {
    const dir = tempDir()
    const options = storeOptions()
    const first = await instance(dir, options, [{ functionName: 'recorder', schedule: 'rate(2 seconds)' }])
    // Stopped before its first tick, which falls due 2 s after creation, while nothing runs.
    await first.close()
    expect(records(dir)).toEqual([])
    await new Promise((resolve) => setTimeout(resolve, 3_000))
    const restartedAt = Date.now()
    await instance(dir, options, [{ functionName: 'recorder', schedule: 'rate(2 seconds)' }])
    await vi.waitFor(() => expect(records(dir).length).toBeGreaterThanOrEqual(1), { timeout: 30_000, interval: 100 })
    const [tick] = records(dir)
    expect(Date.parse(tick!.time)).toBeGreaterThanOrEqual(Math.floor(restartedAt / 1000) * 1000)
  })
}
