import { Cron } from 'croner'

/** A parsed EventBridge schedule expression: `rate(…)` or `cron(…)`. */
export interface ScheduleExpression {
  /** The expression as written. */
  readonly text: string
  readonly kind: 'rate' | 'cron'
  /**
   * The first tick strictly after `afterMs` (ms since the epoch), or `null`
   * when there is none (a cron whose years are over). A rate counts from
   * `anchorMs`, the moment its schedule was created: ticks fall at
   * `anchorMs + k × period`, k ≥ 1, not on the wall clock.
   */
  next(afterMs: number, anchorMs: number): number | null
}

export type ParsedExpression = { ok: true; expression: ScheduleExpression } | { ok: false; message: string }

const RATE_UNITS: Record<string, { ms: number; singular: string; plural: string }> = {
  second: { ms: 1_000, singular: 'second', plural: 'seconds' },
  minute: { ms: 60_000, singular: 'minute', plural: 'minutes' },
  hour: { ms: 3_600_000, singular: 'hour', plural: 'hours' },
  day: { ms: 86_400_000, singular: 'day', plural: 'days' },
}

/**
 * Parses EventBridge's schedule syntax exactly as AWS documents it
 * (eb-scheduled-rule-pattern, eb-rate-expressions), plus the local
 * `rate(N seconds)`, which AWS refuses. A cron is checked field by field
 * against AWS's grammar here, then translated for croner, which does the
 * calendar arithmetic.
 */
export function parseScheduleExpression(text: unknown): ParsedExpression {
  if (typeof text !== 'string') return fail(`expected "rate(…)" or "cron(…)", got ${typeof text}`)
  const rate = /^rate\((.*)\)$/.exec(text)
  if (rate !== null) return parseRate(text, rate[1] as string)
  const cron = /^cron\((.*)\)$/.exec(text)
  if (cron !== null) return parseCron(text, cron[1] as string)
  return fail(`expected "rate(value unit)" or "cron(minutes hours day-of-month month day-of-week year)", got "${text}"`)
}

function parseRate(text: string, body: string): ParsedExpression {
  const match = /^(\S+) (\S+)$/.exec(body)
  if (match === null) return fail(`${text}: expected "rate(value unit)", such as rate(5 minutes)`)
  const [, valueText, unitText] = match as unknown as [string, string, string]
  if (!/^[1-9]\d*$/.test(valueText) || !Number.isSafeInteger(Number(valueText))) {
    return fail(`${text}: the value must be a positive whole number, got "${valueText}"`)
  }
  const value = Number(valueText)
  const unit = RATE_UNITS[unitText.replace(/s$/, '')]
  if (unit === undefined) {
    return fail(`${text}: the unit must be minute(s), hour(s) or day(s) (or seconds, locally), got "${unitText}"`)
  }
  const expected = value === 1 ? unit.singular : unit.plural
  if (unitText !== expected) {
    return fail(`${text}: with a value of ${value} the unit is "${expected}", not "${unitText}" (AWS requires this)`)
  }
  const period = value * unit.ms
  return {
    ok: true,
    expression: {
      text,
      kind: 'rate',
      next(afterMs, anchorMs) {
        const elapsed = Math.floor((afterMs - anchorMs) / period) + 1
        return anchorMs + Math.max(1, elapsed) * period
      },
    },
  }
}

interface Field {
  name: string
  min: number
  max: number
  names?: readonly string[]
  /** Whether `/` is allowed. */
  step: boolean
  /** The day fields' own wildcards (`?`, L, W, #). */
  extras: 'dom' | 'dow' | null
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC']
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT']

const FIELDS: readonly Field[] = [
  { name: 'minutes', min: 0, max: 59, step: true, extras: null },
  { name: 'hours', min: 0, max: 23, step: true, extras: null },
  { name: 'day-of-month', min: 1, max: 31, step: true, extras: 'dom' },
  { name: 'month', min: 1, max: 12, names: MONTHS, step: true, extras: null },
  // AWS's table gives day-of-week no `/`.
  { name: 'day-of-week', min: 1, max: 7, names: WEEKDAYS, step: false, extras: 'dow' },
  { name: 'year', min: 1970, max: 2199, step: true, extras: null },
]

function parseCron(text: string, body: string): ParsedExpression {
  const parts = body.trim().split(/\s+/)
  if (parts.length !== 6) {
    return fail(
      `${text}: expected six fields (minutes hours day-of-month month day-of-week year), got ${body.trim() === '' ? 0 : parts.length}`,
    )
  }
  const [, , dom, , dow] = parts as [string, string, string, string, string, string]
  if (dom === '?' && dow === '?') return fail(`${text}: only one of day-of-month and day-of-week may be "?"`)
  if (dom !== '?' && dow !== '?') {
    return fail(
      `${text}: one of day-of-month ("${dom}") and day-of-week ("${dow}") must be "?" (AWS does not combine them)`,
    )
  }
  const translated: string[] = []
  for (const [index, field] of FIELDS.entries()) {
    const result = translateField(field, parts[index] as string)
    if (typeof result !== 'string') return fail(`${text}: ${field.name} "${parts[index]}": ${result.problem}`)
    translated.push(result)
  }
  // Seconds first (croner's 7-part form), Quartz weekday numbers (1 = Sunday),
  // and AND of the two day fields: one of them is `*` (AWS's `?`), so the other decides.
  let cron: Cron
  try {
    cron = new Cron(`0 ${translated.join(' ')}`, {
      mode: '7-part',
      alternativeWeekdays: true,
      domAndDow: true,
      timezone: 'UTC',
      paused: true,
    })
  } catch (error) {
    return fail(`${text}: ${(error as Error).message}`)
  }
  return {
    ok: true,
    expression: {
      text,
      kind: 'cron',
      next(afterMs) {
        return cron.nextRun(new Date(afterMs))?.getTime() ?? null
      },
    },
  }
}

/** One field in croner's dialect, or what is wrong with it. */
function translateField(field: Field, text: string): string | { problem: string } {
  if (text === '?')
    return field.extras === null ? { problem: '"?" is only allowed in day-of-month or day-of-week' } : '*'
  const items = text.split(',')
  const out: string[] = []
  for (const item of items) {
    const translated = translateItem(field, item)
    if (typeof translated !== 'string') return translated
    out.push(translated)
  }
  if (items.length > 1 && out.some((item) => /[LW#]/.test(item))) {
    return { problem: 'L, W and # stand alone, not in a list' }
  }
  return out.join(',')
}

function translateItem(field: Field, item: string): string | { problem: string } {
  const value = (raw: string): number | { problem: string } => {
    const upper = raw.toUpperCase()
    const named = field.names?.indexOf(upper) ?? -1
    const number = named >= 0 ? named + 1 : /^\d+$/.test(raw) ? Number(raw) : Number.NaN
    if (!Number.isInteger(number)) {
      return {
        problem: `"${raw}" is not a value (expected ${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : ''})`,
      }
    }
    if (number < field.min || number > field.max) return { problem: `${raw} is outside ${field.min}-${field.max}` }
    return number
  }
  if (field.extras === 'dom') {
    if (item === 'L' || item === 'LW') return item
    const weekday = /^(\d+)W$/.exec(item)
    if (weekday !== null) {
      const day = value(weekday[1] as string)
      return typeof day === 'number' ? `${day}W` : day
    }
  }
  if (field.extras === 'dow') {
    // The last day of the week is Saturday.
    if (item === 'L') return '7'
    const last = /^(\w+)L$/.exec(item)
    if (last !== null) {
      const day = value(last[1] as string)
      return typeof day === 'number' ? `${day}#L` : day
    }
    const nth = /^(\w+)#(\d+)$/.exec(item)
    if (nth !== null) {
      const day = value(nth[1] as string)
      if (typeof day !== 'number') return day
      const n = Number(nth[2])
      if (n < 1 || n > 5) return { problem: `the n of day#n is 1-5, got ${nth[2]}` }
      return `${day}#${n}`
    }
  }
  const match = /^(\*|\w+)(?:-(\w+))?(?:\/(\w+))?$/.exec(item)
  if (match === null) return { problem: `"${item}" is not a value, range, list or step${hint(field)}` }
  const [, from, to, step] = match as unknown as [string, string, string | undefined, string | undefined]
  if (step !== undefined && !field.step) return { problem: '"/" is not allowed in day-of-week' }
  if (from === '*') {
    if (to !== undefined) return { problem: `"${item}" is not a range` }
    if (step === undefined) return '*'
  }
  const low = from === '*' ? field.min : value(from)
  if (typeof low !== 'number') return low
  let high: number | undefined
  if (to !== undefined) {
    const parsed = value(to)
    if (typeof parsed !== 'number') return parsed
    if (parsed < low) {
      return {
        problem: `a range goes from low to high; write ${low}-${field.max},${field.min}-${parsed} to wrap around`,
      }
    }
    high = parsed
  }
  if (step === undefined) return high === undefined ? `${low}` : `${low}-${high}`
  if (!/^[1-9]\d*$/.test(step)) return { problem: `the step after "/" must be a positive whole number, got "${step}"` }
  // AWS's `a/n` starts at a and runs to the field's end; croner wants that range spelled out.
  return `${low}-${high ?? field.max}/${step}`
}

function hint(field: Field): string {
  if (field.extras === 'dom') return ' (or L, LW, nW)'
  if (field.extras === 'dow') return ' (or L, nL, n#k)'
  return ''
}

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message }
}
