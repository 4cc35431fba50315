import type { HostStats } from '@lambdalet/protocol'
import { describe, expect, it } from 'vitest'
import { fakeAsyncInvoker } from '../test/fake-async-invoker.js'
import { fakeInvoker, functionStats } from '../test/fake-invoker.js'
import { createGateway } from './create-gateway.js'

const stats: HostStats = {
  functions: {
    hello: functionStats({
      invocations: 10,
      errors: 2,
      throttles: 1,
      timeouts: 1,
      coldStarts: 3,
      queue: { waiting: 4, running: 2 },
      environments: { starting: 1, idle: 2, busy: 2, dying: 0 },
      duration: { bounds: [5, 50, 500], counts: [6, 3, 0, 1], sumMs: 1234.5, count: 10 },
    }),
    'we"ird\\na\nme': functionStats({ invocations: 1 }),
  },
  concurrentExecutions: 2,
  threads: 5,
  closing: false,
}

async function scrape(): Promise<{ res: Response; lines: string[] }> {
  const app = createGateway(fakeInvoker(['hello'], stats))
  const res = await app.request('/metrics')
  return { res, lines: (await res.text()).split('\n') }
}

describe('/metrics', () => {
  it('answers in the Prometheus text format', async () => {
    const { res, lines } = await scrape()
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(lines).toContain('# TYPE lambdalet_invocations_total counter')
    expect(lines.at(-1)).toBe('')
  })

  it('exposes the per-function counters', async () => {
    const { lines } = await scrape()
    expect(lines).toEqual(
      expect.arrayContaining([
        'lambdalet_invocations_total{function="hello"} 10',
        'lambdalet_errors_total{function="hello"} 2',
        'lambdalet_throttles_total{function="hello"} 1',
        'lambdalet_timeouts_total{function="hello"} 1',
        'lambdalet_cold_starts_total{function="hello"} 3',
      ]),
    )
  })

  it('makes the duration histogram buckets cumulative, with _sum and _count', async () => {
    const { lines } = await scrape()
    const histogram = lines.filter(
      (line) => line.startsWith('lambdalet_duration_milliseconds_') && line.includes('"hello"'),
    )
    expect(histogram).toEqual([
      'lambdalet_duration_milliseconds_bucket{function="hello",le="5"} 6',
      'lambdalet_duration_milliseconds_bucket{function="hello",le="50"} 9',
      'lambdalet_duration_milliseconds_bucket{function="hello",le="500"} 9',
      'lambdalet_duration_milliseconds_bucket{function="hello",le="+Inf"} 10',
      'lambdalet_duration_milliseconds_sum{function="hello"} 1234.5',
      'lambdalet_duration_milliseconds_count{function="hello"} 10',
    ])
  })

  it('exposes concurrency, queue depth and environments by state as gauges', async () => {
    const { lines } = await scrape()
    expect(lines).toContain('# TYPE lambdalet_environments gauge')
    expect(lines).toEqual(
      expect.arrayContaining([
        'lambdalet_concurrent_executions 2',
        'lambdalet_queue_depth{function="hello"} 4',
        'lambdalet_environments{function="hello",state="idle"} 2',
        'lambdalet_environments{function="hello",state="busy"} 2',
      ]),
    )
  })

  it('escapes backslashes, quotes and newlines in label values', async () => {
    const { lines } = await scrape()
    expect(lines).toContain('lambdalet_invocations_total{function="we\\"ird\\\\na\\nme"} 1')
  })
})

describe('/metrics with an event queue', () => {
  it("adds the queue's counters, drops by reason, depth and the oldest event's age per function, and ticks per schedule", async () => {
    const events = fakeAsyncInvoker()
    events.asyncStats = () => ({
      store: 'memory',
      functions: {
        hello: {
          received: 7,
          succeeded: 4,
          retried: 2,
          requeued: 3,
          dropped: { RetriesExhausted: 1, EventAgeExceeded: 0, ResourceNotFound: 0 },
          depth: 2,
          oldestAgeMs: 1500,
        },
      },
      schedules: { 'hello-schedule-1': { functionName: 'hello', ticks: 12, failed: 1 } },
    })
    const app = createGateway(fakeInvoker(['hello'], stats), { events })
    const lines = (await (await app.request('/metrics')).text()).split('\n')
    expect(lines).toEqual(
      expect.arrayContaining([
        '# TYPE lambdalet_async_events_received_total counter',
        'lambdalet_async_events_received_total{function="hello"} 7',
        'lambdalet_async_events_succeeded_total{function="hello"} 4',
        'lambdalet_async_events_retried_total{function="hello"} 2',
        'lambdalet_async_events_requeued_total{function="hello"} 3',
        'lambdalet_async_events_dropped_total{function="hello",reason="RetriesExhausted"} 1',
        'lambdalet_async_events_dropped_total{function="hello",reason="EventAgeExceeded"} 0',
        'lambdalet_async_queue_depth{function="hello"} 2',
        'lambdalet_async_event_age_milliseconds{function="hello"} 1500',
        '# TYPE lambdalet_schedule_ticks_total counter',
        'lambdalet_schedule_ticks_total{schedule="hello-schedule-1",function="hello"} 12',
        'lambdalet_schedule_ticks_failed_total{schedule="hello-schedule-1",function="hello"} 1',
      ]),
    )
  })
})
