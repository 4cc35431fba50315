import { isRuleName, MAX_SCHEDULE_INPUT_CHARS, parseScheduleExpression, type ScheduleOptions } from '@lambdalet/events'
import { describeValue, keyPath } from './config-error.js'

/** A function's `{ "schedule": "rate(5 minutes)", "input": {…} }` event source: an EventBridge rule targeting it. */
export interface ScheduleEntry {
  schedule: string
  /** Sent instead of the Scheduled Event, as a rule target's Input. */
  input?: unknown
  /** The rule's name; default `<function>-schedule-<n>`. */
  name?: string
  /** Default true. */
  enabled?: boolean
}

const KEYS = ['schedule', 'input', 'name', 'enabled']

/**
 * Every problem of one schedule entry, as `key.path: what is wrong`.
 * `names` holds the rule names taken so far (by path), across functions.
 */
export function checkScheduleEntry(
  entry: Record<string, unknown>,
  path: string,
  defaultName: string,
  names: Map<string, string>,
): string[] {
  const issues: string[] = []
  for (const key of Object.keys(entry)) {
    if (!KEYS.includes(key)) issues.push(`${keyPath(path, key)}: unknown key (expected one of ${KEYS.join(', ')})`)
  }
  const parsed = parseScheduleExpression(entry['schedule'])
  if (!parsed.ok) issues.push(`${keyPath(path, 'schedule')}: ${parsed.message}`)
  const name = entry['name'] ?? defaultName
  if (entry['name'] === undefined && !isRuleName(name)) {
    issues.push(
      `${keyPath(path, 'name')}: the default ${JSON.stringify(name)} is over 64 characters: give the schedule a name`,
    )
  } else if (!isRuleName(name)) {
    issues.push(
      `${keyPath(path, 'name')}: expected 1 to 64 letters, digits, ".", "-" or "_", got ${describeValue(name)}`,
    )
  } else {
    const taken = names.get(name)
    if (taken !== undefined)
      issues.push(`${keyPath(path, 'name')}: ${JSON.stringify(name)} is already the name of ${taken}`)
    else names.set(name, path)
  }
  if (entry['input'] !== undefined) {
    const length = JSON.stringify(entry['input']).length
    if (length > MAX_SCHEDULE_INPUT_CHARS) {
      issues.push(
        `${keyPath(path, 'input')}: expected at most ${MAX_SCHEDULE_INPUT_CHARS} characters of JSON (AWS's limit), got ${length}`,
      )
    }
  }
  if (entry['enabled'] !== undefined && typeof entry['enabled'] !== 'boolean') {
    issues.push(`${keyPath(path, 'enabled')}: expected true or false, got ${describeValue(entry['enabled'])}`)
  }
  return issues
}

/** A checked entry as the event queue takes it. */
export function toScheduleOptions(functionName: string, entry: ScheduleEntry): ScheduleOptions {
  return {
    functionName,
    schedule: entry.schedule,
    ...(entry.input === undefined ? {} : { input: entry.input }),
    ...(entry.name === undefined ? {} : { name: entry.name }),
    ...(entry.enabled === undefined ? {} : { enabled: entry.enabled }),
  }
}
