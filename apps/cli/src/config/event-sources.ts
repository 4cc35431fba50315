import type { QueueMapping, ScheduleOptions } from '@lambdalet/events'
import { describeValue } from './config-error.js'
import { checkScheduleEntry, type ScheduleEntry, toScheduleOptions } from './schedule-config.js'
import { isSqsEvent, type SqsEventEntry, sqsEventProblems, sqsMapping } from './sqs-event.js'

/** One entry of a function's `events`: what invokes it besides callers. */
export type EventSourceEntry = ScheduleEntry | SqsEventEntry

/**
 * Checks a function's `events`, dispatching each entry on its kind's key.
 * `ruleNames` collects the schedules' rule names across functions; `queues`
 * are the queue names the file defines.
 */
export function checkEventSources(
  events: unknown,
  path: string,
  functionName: string,
  ruleNames: Map<string, string>,
  queues: ReadonlySet<string>,
): string[] {
  if (events === undefined) return []
  if (!Array.isArray(events)) {
    return [
      `${path}: expected an array of event sources such as { "schedule": "rate(5 minutes)" } or { "sqs": "orders" }, got ${describeValue(events)}`,
    ]
  }
  const issues: string[] = []
  let schedules = 0
  events.forEach((entry: unknown, index) => {
    const at = `${path}[${index}]`
    if (typeof entry === 'object' && entry !== null && !Array.isArray(entry) && Object.hasOwn(entry, 'schedule')) {
      schedules++
      issues.push(
        ...checkScheduleEntry(entry as Record<string, unknown>, at, `${functionName}-schedule-${schedules}`, ruleNames),
      )
    } else if (isSqsEvent(entry)) {
      issues.push(...sqsEventProblems(at, entry, queues))
    } else {
      issues.push(
        `${at}: expected an event source with a "schedule" or "sqs" key, such as { "schedule": "rate(5 minutes)" } or { "sqs": "orders" }, got ${describeEntry(entry)}`,
      )
    }
  })
  return issues
}

/** The schedules among a function's checked `events`, in order. */
export function scheduleOptions(
  functionName: string,
  events: readonly EventSourceEntry[] | undefined,
): ScheduleOptions[] {
  return (events ?? [])
    .filter((entry): entry is ScheduleEntry => 'schedule' in entry)
    .map((entry) => toScheduleOptions(functionName, entry))
}

/** The SQS event source mappings among a function's checked `events`, in order. */
export function queueMappings(functionName: string, events: readonly EventSourceEntry[] | undefined): QueueMapping[] {
  return (events ?? []).filter(isSqsEvent).map((entry) => sqsMapping(functionName, entry))
}

function describeEntry(entry: unknown): string {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return describeValue(entry)
  const keys = Object.keys(entry)
  return keys.length === 0 ? 'an empty object' : `an object with ${keys.map((key) => JSON.stringify(key)).join(', ')}`
}
