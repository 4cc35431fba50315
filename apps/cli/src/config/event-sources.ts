import type { ScheduleOptions } from '@lambdalet/events'
import { describeValue } from './config-error.js'
import { checkScheduleEntry, type ScheduleEntry, toScheduleOptions } from './schedule-config.js'

/** One entry of a function's `events`: what invokes it besides callers. */
export type EventSourceEntry = ScheduleEntry

/**
 * Checks a function's `events`, dispatching each entry on its kind's key.
 * `ruleNames` collects the schedules' rule names across functions.
 */
export function checkEventSources(
  events: unknown,
  path: string,
  functionName: string,
  ruleNames: Map<string, string>,
): string[] {
  if (events === undefined) return []
  if (!Array.isArray(events)) {
    return [
      `${path}: expected an array of event sources such as { "schedule": "rate(5 minutes)" }, got ${describeValue(events)}`,
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
    } else {
      issues.push(
        `${at}: expected an event source with a "schedule" key, such as { "schedule": "rate(5 minutes)" }, got ${describeEntry(entry)}`,
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
  return (events ?? []).filter((entry) => 'schedule' in entry).map((entry) => toScheduleOptions(functionName, entry))
}

function describeEntry(entry: unknown): string {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return describeValue(entry)
  const keys = Object.keys(entry)
  return keys.length === 0 ? 'an empty object' : `an object with ${keys.map((key) => JSON.stringify(key)).join(', ')}`
}
