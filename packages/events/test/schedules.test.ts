import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createHost } from '@lambdalet/host'
import { describe, expect, it, vi } from 'vitest'
import { createEventQueue } from '../src/index.js'
import { setup } from './helpers.js'

const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

describe('schedules on a one-process store', () => {
  it('fires rate(1 second) about once a second, each tick an Event invocation with the Scheduled Event', async () => {
    const startedAt = Date.now()
    const { records, queue } = await setup(
      { recorder: { handler: 'recorder.mjs' } },
      {
        region: 'eu-west-1',
        accountId: '123456789012',
        schedules: [{ functionName: 'recorder', schedule: 'rate(1 second)' }],
      },
    )
    await vi.waitFor(() => expect(records().length).toBeGreaterThanOrEqual(5), { timeout: 30_000, interval: 100 })
    const events = records().slice(0, 5)
    // The first tick is one period after the schedule was created.
    expect(Date.parse(events[0]!.time)).toBeGreaterThanOrEqual(Math.floor((startedAt + 1000) / 1000) * 1000)
    for (const event of events) {
      expect(Object.keys(event).sort()).toEqual(
        ['account', 'detail', 'detail-type', 'id', 'region', 'resources', 'source', 'time', 'version'].sort(),
      )
      expect(event).toMatchObject({
        version: '0',
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '123456789012',
        region: 'eu-west-1',
        resources: ['arn:aws:events:eu-west-1:123456789012:rule/recorder-schedule-1'],
        detail: {},
      })
      expect(event.id).toMatch(UUID)
      expect(event.time).toMatch(ISO_SECONDS)
    }
    expect(new Set(events.map((event) => event.id)).size).toBe(5)
    // One tick per second: whole seconds apart, never two in one second. A
    // tick the test process was too starved to fire is skipped, not
    // replayed, so allow a gap or two on a loaded machine.
    // Ticks are asynchronous invocations, so two may run in either order:
    // compare them in the order they were due.
    const times = events.map((event) => Date.parse(event.time)).sort((a, b) => a - b)
    const gaps = times.slice(1).map((time, i) => time - times[i]!)
    for (const gap of gaps) {
      expect(gap % 1000).toBe(0)
      expect(gap).toBeGreaterThanOrEqual(1000)
    }
    expect(times[4]! - times[0]!).toBeLessThanOrEqual(6000)
    expect(queue.scheduleStats()['recorder-schedule-1']).toMatchObject({
      functionName: 'recorder',
      schedule: 'rate(1 second)',
      enabled: true,
      failed: 0,
    })
    expect(queue.scheduleStats()['recorder-schedule-1']!.ticks).toBeGreaterThanOrEqual(5)
  })

  it("sends a schedule's input instead of the Scheduled Event, and leaves a disabled schedule silent", async () => {
    const { records, queue } = await setup(
      { recorder: { handler: 'recorder.mjs' } },
      {
        schedules: [
          { functionName: 'recorder', schedule: 'rate(1 second)', input: { job: 'report', n: [1, 2] }, name: 'report' },
          { functionName: 'recorder', schedule: 'rate(1 second)', input: { job: 'off' }, enabled: false },
        ],
      },
    )
    await vi.waitFor(() => expect(records().length).toBeGreaterThanOrEqual(3), { timeout: 30_000, interval: 100 })
    for (const record of records()) expect(record).toEqual({ job: 'report', n: [1, 2] })
    const stats = queue.scheduleStats()
    expect(stats['recorder-schedule-2']).toMatchObject({ enabled: false, ticks: 0 })
    expect(stats['report']!.ruleArn).toBe('arn:aws:events:us-east-1:000000000000:rule/report')
  })

  it('retries a tick whose run failed, as Lambda retries any Event invocation', async () => {
    const { dir, queue } = await setup(
      { flaky: { handler: 'flaky.mjs' } },
      {
        retryDelaysMs: [200, 200],
        // Every tick sends the same key; the fixture fails the first run of that key only.
        schedules: [{ functionName: 'flaky', schedule: 'rate(1 second)', input: { key: 'tick', failTimes: 1 } }],
      },
    )
    const runs = () =>
      existsSync(join(dir, 'tick.runs'))
        ? readFileSync(join(dir, 'tick.runs'), 'utf8')
            .trim()
            .split('\n')
            .map((line) => line.split(' ')[1])
        : []
    await vi.waitFor(() => expect(runs().length).toBeGreaterThanOrEqual(2), { timeout: 30_000, interval: 100 })
    // The failed first run and its retry are one event: the same request id, the tick's.
    const [first, second] = runs()
    expect(second).toBe(first)
    expect(queue.stats().functions['flaky']!.retried).toBeGreaterThanOrEqual(1)
  })

  it('refuses invalid schedules, naming each one and what is wrong', async () => {
    const long = 'f'.repeat(60)
    const host = createHost({
      logs: false,
      functions: {
        a: { handler: 'recorder.mjs', codeDir: '/nowhere' },
        [long]: { handler: 'recorder.mjs', codeDir: '/nowhere' },
      },
    })
    try {
      const error = await createEventQueue({
        invoker: host,
        store: 'memory',
        schedules: [
          { functionName: 'a', schedule: 'rate(1 minutes)' },
          { functionName: 'b', schedule: 'cron(0 12 * * * *)' },
          { functionName: 'a', schedule: 'rate(5 minutes)', name: 'bad name' },
          { functionName: long, schedule: 'rate(5 minutes)' },
        ],
      }).catch((thrown: unknown) => thrown)
      expect(error).toBeInstanceOf(TypeError)
      const message = (error as Error).message
      expect(message).toContain('schedules[0].schedule: rate(1 minutes): with a value of 1 the unit is "minute"')
      expect(message).toContain('schedules[1].functionName: not a function of the invoker, got "b"')
      expect(message).toContain('schedules[1].schedule: cron(0 12 * * * *): one of day-of-month')
      expect(message).toContain('schedules[2].name: expected 1 to 64 letters')
      expect(message).toContain(
        `schedules[3].name: the default "${long}-schedule-1" is over 64 characters: give the schedule a name`,
      )
    } finally {
      await host.close()
    }
  })
})
