import type { AsyncFunctionStats, AsyncStats, FunctionStats, HostStats } from '@lambdalet/protocol'

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

type Counter = (stats: FunctionStats) => number

const COUNTERS: ReadonlyArray<[name: string, help: string, value: Counter]> = [
  ['lambdalet_invocations_total', 'Invocations, per function.', (s) => s.invocations],
  ['lambdalet_errors_total', 'Invocations that ended in a function error.', (s) => s.errors],
  ['lambdalet_throttles_total', 'Invocations refused with TooManyRequestsException.', (s) => s.throttles],
  ['lambdalet_timeouts_total', 'Invocations that passed their deadline.', (s) => s.timeouts],
  ['lambdalet_cold_starts_total', 'Invocations that had to start an environment.', (s) => s.coldStarts],
]
const ENVIRONMENT_STATES = ['starting', 'idle', 'busy', 'dying'] as const

type AsyncCounter = (stats: AsyncFunctionStats) => number

// Lambda's AsyncEventsReceived / AsyncEventAge / AsyncEventsDropped, and the rest of the queue's story.
const ASYNC_COUNTERS: ReadonlyArray<[name: string, help: string, value: AsyncCounter]> = [
  ['lambdalet_async_events_received_total', 'Event invocations accepted into the queue.', (s) => s.received],
  ['lambdalet_async_events_succeeded_total', 'Queued events whose run succeeded.', (s) => s.succeeded],
  ['lambdalet_async_events_retried_total', 'Retries scheduled after a function error.', (s) => s.retried],
  ['lambdalet_async_events_requeued_total', 'Events put back after a throttle or a service error.', (s) => s.requeued],
]
const DROP_REASONS = ['RetriesExhausted', 'EventAgeExceeded', 'ResourceNotFound'] as const

/** `invoker.stats()` (and the event queue's) in the Prometheus text exposition format (0.0.4). */
export function renderMetrics(stats: HostStats, asyncStats?: AsyncStats): string {
  const functions = Object.entries(stats.functions).map(
    ([name, functionStats]) => [`function="${escapeLabel(name)}"`, functionStats] as const,
  )
  const lines: string[] = []
  const header = (name: string, type: string, help: string): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
  }

  for (const [name, help, value] of COUNTERS) {
    header(name, 'counter', help)
    for (const [label, s] of functions) lines.push(`${name}{${label}} ${value(s)}`)
  }

  const duration = 'lambdalet_duration_milliseconds'
  header(duration, 'histogram', 'Invocation duration in milliseconds.')
  for (const [label, s] of functions) {
    const { bounds, counts, sumMs, count } = s.duration
    // The host counts per bucket; Prometheus buckets are cumulative.
    let cumulative = 0
    bounds.forEach((bound, i) => {
      cumulative += counts[i] ?? 0
      lines.push(`${duration}_bucket{${label},le="${formatNumber(bound)}"} ${cumulative}`)
    })
    lines.push(`${duration}_bucket{${label},le="+Inf"} ${count}`)
    lines.push(`${duration}_sum{${label}} ${formatNumber(sumMs)}`)
    lines.push(`${duration}_count{${label}} ${count}`)
  }

  header('lambdalet_concurrent_executions', 'gauge', 'Invocations running now, all functions together.')
  lines.push(`lambdalet_concurrent_executions ${stats.concurrentExecutions}`)
  header('lambdalet_threads', 'gauge', 'Worker threads alive or still exiting.')
  lines.push(`lambdalet_threads ${stats.threads}`)
  header('lambdalet_queue_depth', 'gauge', 'Invocations waiting for an environment.')
  for (const [label, s] of functions) lines.push(`lambdalet_queue_depth{${label}} ${s.queue.waiting}`)
  header('lambdalet_environments', 'gauge', 'Execution environments by state.')
  for (const [label, s] of functions) {
    for (const state of ENVIRONMENT_STATES) {
      lines.push(`lambdalet_environments{${label},state="${state}"} ${s.environments[state]}`)
    }
  }
  if (asyncStats !== undefined) {
    const queued = Object.entries(asyncStats.functions).map(
      ([name, functionStats]) => [`function="${escapeLabel(name)}"`, functionStats] as const,
    )
    for (const [name, help, value] of ASYNC_COUNTERS) {
      header(name, 'counter', help)
      for (const [label, s] of queued) lines.push(`${name}{${label}} ${value(s)}`)
    }
    header('lambdalet_async_events_dropped_total', 'counter', 'Events dropped without a success, by reason.')
    for (const [label, s] of queued) {
      for (const reason of DROP_REASONS) {
        lines.push(`lambdalet_async_events_dropped_total{${label},reason="${reason}"} ${s.dropped[reason]}`)
      }
    }
    header('lambdalet_async_queue_depth', 'gauge', 'Events accepted and not yet finished.')
    for (const [label, s] of queued) lines.push(`lambdalet_async_queue_depth{${label}} ${s.depth}`)
    header('lambdalet_async_event_age_milliseconds', 'gauge', 'Age of the oldest event in the queue.')
    for (const [label, s] of queued) lines.push(`lambdalet_async_event_age_milliseconds{${label}} ${s.oldestAgeMs}`)
    const schedules = Object.entries(asyncStats.schedules ?? {}).map(
      ([rule, s]) => [`schedule="${escapeLabel(rule)}",function="${escapeLabel(s.functionName)}"`, s] as const,
    )
    if (schedules.length > 0) {
      header('lambdalet_schedule_ticks_total', 'counter', 'Schedule ticks turned into an Event invocation here.')
      for (const [label, s] of schedules) lines.push(`lambdalet_schedule_ticks_total{${label}} ${s.ticks}`)
      header(
        'lambdalet_schedule_ticks_failed_total',
        'counter',
        'Schedule ticks whose Event invocation was not stored.',
      )
      for (const [label, s] of schedules) lines.push(`lambdalet_schedule_ticks_failed_total{${label}} ${s.failed}`)
    }
    const queues = Object.entries(asyncStats.queues ?? {})
    if (queues.length > 0) {
      header('lambdalet_sqs_messages', 'gauge', 'Messages in an SQS queue: visible, or received and not yet deleted.')
      for (const [name, counts] of queues) {
        const label = `queue="${escapeLabel(name)}"`
        lines.push(`lambdalet_sqs_messages{${label},state="visible"} ${counts.visible}`)
        lines.push(`lambdalet_sqs_messages{${label},state="in_flight"} ${counts.inFlight}`)
      }
    }
  }
  lines.push('')
  return lines.join('\n')
}

/** Label values escape backslash, double quote and line feed, and nothing else. */
function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (char) => (char === '\n' ? '\\n' : `\\${char}`))
}

function formatNumber(value: number): string {
  if (value === Infinity) return '+Inf'
  if (value === -Infinity) return '-Inf'
  return String(value)
}
