import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest'
// The events package's own harness: a real redis-server on a free port.
import { type RedisServer, startRedisServer } from '../../../packages/events/test/redis-server.js'
import { ConfigError } from '../src/config/config-error.js'
import { loadProject } from '../src/config/load-project.js'
import { fixtures, spawnServeInTest } from './helpers.js'

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lambdalet-schedules-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A folder serving the tick fixture with `config` as its lambdalet.json; ticks land in `<dir>/runs`. */
function project(config: (runs: string) => object): { dir: string; functions: string; runs: string } {
  const dir = tempDir()
  const runs = join(dir, 'runs')
  const functions = join(dir, 'functions')
  mkdirSync(runs)
  mkdirSync(functions)
  cpSync(join(fixtures, 'schedules', 'tick.mjs'), join(functions, 'tick.mjs'))
  writeFileSync(join(functions, 'lambdalet.json'), JSON.stringify(config(runs)))
  return { dir, functions, runs }
}

const ticks = (runs: string): Array<{ pid: number; requestId: string; event: Record<string, any> }> => {
  const file = join(runs, 'ticks.jsonl')
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    : []
}

describe('schedules in lambdalet.json', () => {
  it('reports bad schedule entries with the file, the key path and what is wrong', async () => {
    const { functions } = project(() => ({
      functions: {
        tick: {
          events: [
            { schedule: 'rate(1 minutes)' },
            { schedule: 'cron(0 12 * * * *)', enabled: 'yes' },
            { sqs: 'orders' },
            { schedule: 'rate(5 minutes)', name: 'tick-schedule-1', every: 5 },
            'rate(5 minutes)',
          ],
        },
      },
    }))
    const error = await loadProject({ dir: functions, cwd: functions }).catch((thrown: unknown) => thrown)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).issues).toEqual([
      'lambdalet.json: functions.tick.events[0].schedule: rate(1 minutes): with a value of 1 the unit is "minute", not "minutes" (AWS requires this)',
      'lambdalet.json: functions.tick.events[1].schedule: cron(0 12 * * * *): one of day-of-month ("*") and day-of-week ("*") must be "?" (AWS does not combine them)',
      'lambdalet.json: functions.tick.events[1].enabled: expected true or false, got "yes"',
      'lambdalet.json: functions.tick.events[2].sqs: expected the name of a queue defined in "queues", got "orders"',
      'lambdalet.json: functions.tick.events[3].every: unknown key (expected one of schedule, input, name, enabled)',
      'lambdalet.json: functions.tick.events[3].name: "tick-schedule-1" is already the name of functions.tick.events[0]',
      'lambdalet.json: functions.tick.events[4]: expected an event source with a "schedule" or "sqs" key, such as { "schedule": "rate(5 minutes)" } or { "sqs": "orders" }, got "rate(5 minutes)"',
    ])
  })

  it('asks for a name when the default one would pass 64 characters', async () => {
    const long = `tick${'k'.repeat(56)}`
    const { functions } = project(() => ({
      functions: { [long]: { handler: 'tick.handler', events: [{ schedule: 'rate(5 minutes)' }] } },
    }))
    const error = await loadProject({ dir: functions, cwd: functions }).catch((thrown: unknown) => thrown)
    expect((error as ConfigError).issues).toEqual([
      `lambdalet.json: functions.${long}.events[0].name: the default "${long}-schedule-1" is over 64 characters: give the schedule a name`,
    ])
  })

  it('takes a schedule with its input onto the function', async () => {
    const { functions } = project(() => ({
      functions: { tick: { events: [{ schedule: 'cron(0 12 ? * MON-FRI *)', input: { report: 'daily' } }] } },
    }))
    const loaded = await loadProject({ dir: functions })
    expect(loaded.functions['tick']?.events).toEqual([
      { schedule: 'cron(0 12 ? * MON-FRI *)', input: { report: 'daily' } },
    ])
  })
})

describe('two lambdalet serve instances on one Redis', () => {
  let redis: RedisServer
  beforeAll(async () => {
    redis = await startRedisServer()
  })
  afterAll(async () => {
    await redis?.stop()
  })

  it('fire a rate(1 second) schedule once per tick in all, with the Scheduled Event', async () => {
    const { functions, runs } = project((runs) => ({
      region: 'eu-central-1',
      accountId: '123456789012',
      functions: { tick: { events: [{ schedule: 'rate(1 second)', name: 'every-second' }], env: { RUNS_DIR: runs } } },
    }))
    const serve = () => spawnServeInTest([functions, '--port', '0', '--store', redis.url])
    const a = serve()
    const b = serve()
    await Promise.all([a.port, b.port])
    await a.waitFor(/schedule every-second: rate\(1 second\) → tick/)
    await vi.waitFor(() => expect(ticks(runs).length).toBeGreaterThanOrEqual(8), { timeout: 40_000, interval: 200 })
    a.child.kill('SIGTERM')
    b.child.kill('SIGTERM')
    await Promise.all([a.exited, b.exited])

    const seen = ticks(runs)
    const times = seen.map(({ event }) => Date.parse(event.time))
    // Once in all: no tick ran on both instances.
    expect(new Set(times).size).toBe(seen.length)
    expect(new Set(seen.map(({ event }) => event.id)).size).toBe(seen.length)
    for (const { event, requestId } of seen) {
      expect(event).toEqual({
        version: '0',
        id: event.id,
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '123456789012',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        region: 'eu-central-1',
        resources: ['arn:aws:events:eu-central-1:123456789012:rule/every-second'],
        detail: {},
      })
      // The invocation's request id is the event's id: the same on a retry.
      expect(requestId).toBe(event.id)
    }
    // Whole seconds apart: one schedule, anchored once for both instances.
    const sorted = [...times].sort((x, y) => x - y)
    for (let i = 1; i < sorted.length; i++) expect((sorted[i]! - sorted[i - 1]!) % 1000).toBe(0)
  })
})
