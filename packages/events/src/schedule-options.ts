import { parseScheduleExpression, type ScheduleExpression } from './schedule-expression.js'

/** A schedule as an embedding app or the config file gives it: an EventBridge rule with one Lambda target. */
export interface ScheduleOptions {
  /** The function each tick invokes asynchronously (Lambda's retries, max age and destinations apply). */
  functionName: string
  /** `rate(5 minutes)`, `cron(0 12 ? * MON-FRI *)`, or, locally only, `rate(10 seconds)`. */
  schedule: string
  /** Sent instead of the Scheduled Event, as a rule target's constant Input. */
  input?: unknown
  /** The rule's name, in the event's `resources`; default `<function>-schedule-<n>`, n counting from 1 per function. */
  name?: string
  /** `false` keeps the schedule defined but not firing, as a disabled rule. Default `true`. */
  enabled?: boolean
}

/** A checked schedule, ready to run. */
export interface ResolvedSchedule {
  name: string
  functionName: string
  expression: ScheduleExpression
  /** The JSON text sent at each tick instead of the Scheduled Event, if any. */
  input: string | null
  enabled: boolean
}

/** AWS's rule names: 1 to 64 letters, digits, `.`, `-` or `_`. */
export function isRuleName(name: unknown): name is string {
  return typeof name === 'string' && /^[.\-_A-Za-z0-9]{1,64}$/.test(name)
}
/** The longest constant Input a rule target takes. */
export const MAX_SCHEDULE_INPUT_CHARS = 8192

/** Checks schedules and names them; every problem is reported with its index. */
export function resolveSchedules(
  list: readonly ScheduleOptions[],
  hasFunction: (name: string) => boolean,
): { ok: true; schedules: ResolvedSchedule[] } | { ok: false; problems: string[] } {
  const problems: string[] = []
  const schedules: ResolvedSchedule[] = []
  const counts = new Map<string, number>()
  const names = new Set<string>()
  list.forEach((options, index) => {
    const at = `schedules[${index}]`
    const count = (counts.get(options.functionName) ?? 0) + 1
    counts.set(options.functionName, count)
    if (typeof options.functionName !== 'string' || !hasFunction(options.functionName)) {
      problems.push(`${at}.functionName: not a function of the invoker, got ${JSON.stringify(options.functionName)}`)
    }
    const parsed = parseScheduleExpression(options.schedule)
    if (!parsed.ok) problems.push(`${at}.schedule: ${parsed.message}`)
    const name = options.name ?? `${options.functionName}-schedule-${count}`
    if (options.name === undefined && typeof options.functionName === 'string' && !isRuleName(name)) {
      problems.push(`${at}.name: the default ${JSON.stringify(name)} is over 64 characters: give the schedule a name`)
    } else if (!isRuleName(name)) {
      problems.push(`${at}.name: expected 1 to 64 letters, digits, ".", "-" or "_", got ${JSON.stringify(name)}`)
    } else if (names.has(name)) {
      problems.push(`${at}.name: another schedule is already named ${JSON.stringify(name)}`)
    }
    names.add(name)
    let input: string | null = null
    if (options.input !== undefined) {
      const text = safeStringify(options.input)
      if (text === undefined) problems.push(`${at}.input: expected a JSON value`)
      else if (text.length > MAX_SCHEDULE_INPUT_CHARS) {
        problems.push(`${at}.input: at most ${MAX_SCHEDULE_INPUT_CHARS} characters of JSON, got ${text.length}`)
      } else input = text
    }
    if (options.enabled !== undefined && typeof options.enabled !== 'boolean') {
      problems.push(`${at}.enabled: expected true or false, got ${JSON.stringify(options.enabled)}`)
    }
    if (parsed.ok) {
      schedules.push({
        name,
        functionName: options.functionName,
        expression: parsed.expression,
        input,
        enabled: options.enabled !== false,
      })
    }
  })
  return problems.length > 0 ? { ok: false, problems } : { ok: true, schedules }
}

function safeStringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value)
  } catch {
    return undefined
  }
}
