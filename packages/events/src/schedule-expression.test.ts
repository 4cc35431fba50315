import { describe, expect, it } from 'vitest'
import { parseScheduleExpression } from './schedule-expression.js'

/** A Wednesday. */
const FROM = '2026-12-02T01:50:00Z'

function runs(text: string, from = FROM, count = 3, anchor = from): Array<string | null> {
  const parsed = parseScheduleExpression(text)
  if (!parsed.ok) throw new Error(parsed.message)
  const out: Array<string | null> = []
  let at: number | null = Date.parse(from)
  for (let i = 0; i < count && at !== null; i++) {
    at = parsed.expression.next(at, Date.parse(anchor))
    out.push(at === null ? null : new Date(at).toISOString().replace('.000Z', 'Z'))
  }
  return out
}

describe('cron(), translated from AWS dialect', () => {
  // The examples of AWS's EventBridge docs (eb-scheduled-rule-pattern), the
  // next fire times worked out by hand from the calendar.
  it.each([
    ['cron(0 10 * * ? *)', FROM, ['2026-12-02T10:00:00Z', '2026-12-03T10:00:00Z', '2026-12-04T10:00:00Z']],
    ['cron(15 12 * * ? *)', FROM, ['2026-12-02T12:15:00Z', '2026-12-03T12:15:00Z', '2026-12-04T12:15:00Z']],
    // Monday to Friday: Saturday the 5th and Sunday the 6th are skipped.
    [
      'cron(0 18 ? * MON-FRI *)',
      '2026-12-03T19:00:00Z',
      ['2026-12-04T18:00:00Z', '2026-12-07T18:00:00Z', '2026-12-08T18:00:00Z'],
    ],
    ['cron(0 8 1 * ? *)', FROM, ['2027-01-01T08:00:00Z', '2027-02-01T08:00:00Z', '2027-03-01T08:00:00Z']],
    // 0/15: from minute 0, every 15 minutes.
    ['cron(0/15 * * * ? *)', FROM, ['2026-12-02T02:00:00Z', '2026-12-02T02:15:00Z', '2026-12-02T02:30:00Z']],
    // From a Friday night into Monday.
    [
      'cron(0/10 * ? * MON-FRI *)',
      '2026-12-04T23:45:00Z',
      ['2026-12-04T23:50:00Z', '2026-12-07T00:00:00Z', '2026-12-07T00:10:00Z'],
    ],
    // Between 8:00 and 17:55: after 17:55 the next is the next weekday's 8:00.
    [
      'cron(0/5 8-17 ? * MON-FRI *)',
      '2026-12-02T17:52:00Z',
      ['2026-12-02T17:55:00Z', '2026-12-03T08:00:00Z', '2026-12-03T08:05:00Z'],
    ],
    // 2#1: the first Monday (SUN = 1) of each month.
    ['cron(0 9 ? * 2#1 *)', FROM, ['2026-12-07T09:00:00Z', '2027-01-04T09:00:00Z', '2027-02-01T09:00:00Z']],
    // 6L: the last Friday of each month, in 2019-2022 only; then never again.
    ['cron(15 10 ? * 6L 2019-2022)', '2022-11-01T00:00:00Z', ['2022-11-25T10:15:00Z', '2022-12-30T10:15:00Z', null]],
    ['cron(15 10 ? * 6L 2019-2022)', FROM, [null]],
    // 3W: the weekday nearest the 3rd (Sunday 3 January 2027 → Monday the 4th).
    ['cron(0 12 3W * ? *)', FROM, ['2026-12-03T12:00:00Z', '2027-01-04T12:00:00Z', '2027-02-03T12:00:00Z']],
    // Saturday 3 October 2026 → Friday the 2nd.
    ['cron(0 12 3W * ? *)', '2026-09-10T00:00:00Z', ['2026-10-02T12:00:00Z']],
    // L in day-of-month: the last day of the month.
    ['cron(0 0 L * ? *)', FROM, ['2026-12-31T00:00:00Z', '2027-01-31T00:00:00Z', '2027-02-28T00:00:00Z']],
    // 3#2: the second Tuesday.
    ['cron(0 0 ? * 3#2 *)', FROM, ['2026-12-08T00:00:00Z', '2027-01-12T00:00:00Z']],
    // Day-of-week numbers and names: SUN = 1, SAT = 7; L alone is the last day of the week, Saturday.
    ['cron(0 0 ? * 1 *)', FROM, ['2026-12-06T00:00:00Z']],
    ['cron(0 0 ? * SUN *)', FROM, ['2026-12-06T00:00:00Z']],
    ['cron(0 0 ? * 7 *)', FROM, ['2026-12-05T00:00:00Z']],
    ['cron(0 0 ? * L *)', FROM, ['2026-12-05T00:00:00Z']],
    ['cron(0 0 ? * sat,mon *)', FROM, ['2026-12-05T00:00:00Z', '2026-12-07T00:00:00Z', '2026-12-12T00:00:00Z']],
    // Lists of months by name, a single year.
    ['cron(0 0 1 JAN,JUL ? *)', FROM, ['2027-01-01T00:00:00Z', '2027-07-01T00:00:00Z', '2028-01-01T00:00:00Z']],
    ['cron(30 6 1 1 ? 2028)', FROM, ['2028-01-01T06:30:00Z', null]],
    // A step over a range: every 20 minutes from minute 5 to 45.
    ['cron(5-45/20 3 * * ? *)', FROM, ['2026-12-02T03:05:00Z', '2026-12-02T03:25:00Z', '2026-12-02T03:45:00Z']],
  ])('%s from %s', (text, from, expected) => {
    expect(runs(text, from, expected.length)).toEqual(expected)
  })

  it('runs in UTC whatever the time zone of the process', () => {
    // The next fire time is absolute: 12:00 UTC, not 12:00 local time.
    expect(runs('cron(0 12 * * ? *)', '2026-06-30T23:00:00Z', 1)).toEqual(['2026-07-01T12:00:00Z'])
  })
})

describe('rate()', () => {
  it('is anchored at the moment the schedule was created, not at the wall clock', () => {
    expect(runs('rate(5 minutes)', FROM, 3, '2026-12-02T01:47:13Z')).toEqual([
      '2026-12-02T01:52:13Z',
      '2026-12-02T01:57:13Z',
      '2026-12-02T02:02:13Z',
    ])
    // The first tick is one period after creation.
    expect(runs('rate(1 hour)', FROM, 2)).toEqual(['2026-12-02T02:50:00Z', '2026-12-02T03:50:00Z'])
    expect(runs('rate(2 days)', FROM, 1)).toEqual(['2026-12-04T01:50:00Z'])
    expect(runs('rate(1 minute)', FROM, 1)).toEqual(['2026-12-02T01:51:00Z'])
  })

  it('takes seconds, a local extension AWS refuses', () => {
    expect(runs('rate(1 second)', FROM, 2)).toEqual(['2026-12-02T01:50:01Z', '2026-12-02T01:50:02Z'])
    expect(runs('rate(30 seconds)', FROM, 1)).toEqual(['2026-12-02T01:50:30Z'])
  })

  it('skips ticks that fell while nothing ran, rather than replaying them', () => {
    // Created at 01:00, asked at 01:50: the next is 01:55, not 01:05.
    expect(runs('rate(5 minutes)', FROM, 1, '2026-12-02T01:00:00Z')).toEqual(['2026-12-02T01:55:00Z'])
  })
})

describe('invalid expressions', () => {
  it.each([
    ['cron(0 12 * * * *)', 'one of day-of-month ("*") and day-of-week ("*") must be "?"'],
    ['cron(0 12 1 * MON *)', 'one of day-of-month ("1") and day-of-week ("MON") must be "?"'],
    ['cron(0 12 ? * ? *)', 'only one of day-of-month and day-of-week may be "?"'],
    ['cron(0 12 * * ?)', 'expected six fields (minutes hours day-of-month month day-of-week year), got 5'],
    ['cron(0 0 12 * * ? *)', 'got 7'],
    ['cron(60 12 * * ? *)', 'minutes "60": 60 is outside 0-59'],
    ['cron(0 24 * * ? *)', 'hours "24": 24 is outside 0-23'],
    ['cron(0 12 ? * 0 *)', 'day-of-week "0": 0 is outside 1-7'],
    ['cron(0 12 ? * MON/2 *)', '"/" is not allowed in day-of-week'],
    ['cron(0 12 ? * 2#6 *)', 'the n of day#n is 1-5'],
    ['cron(0 12 ? * FUN *)', '"FUN" is not a value'],
    ['cron(0 12 * ? ? *)', 'month "?": "?" is only allowed in day-of-month or day-of-week'],
    ['cron(0 12 * * ? 1969)', 'year "1969": 1969 is outside 1970-2199'],
    ['cron(0 ? * * ? *)', 'hours "?": "?" is only allowed in day-of-month or day-of-week'],
    ['cron(0 20-2 ? * MON-FRI *)', 'a range goes from low to high; write 20-23,0-2 to wrap around'],
    ['cron(0 12 L,15 * ? *)', 'L, W and # stand alone'],
    ['rate(1 minutes)', 'with a value of 1 the unit is "minute", not "minutes"'],
    ['rate(5 minute)', 'with a value of 5 the unit is "minutes", not "minute"'],
    ['rate(1 seconds)', 'the unit is "second"'],
    ['rate(0 minutes)', 'the value must be a positive whole number, got "0"'],
    ['rate(1.5 hours)', 'the value must be a positive whole number, got "1.5"'],
    ['rate(2 weeks)', 'the unit must be minute(s), hour(s) or day(s)'],
    ['rate(5minutes)', 'expected "rate(value unit)"'],
    ['every 5 minutes', 'expected "rate(value unit)" or "cron('],
    ['Rate(5 minutes)', 'expected "rate(value unit)" or "cron('],
  ])('refuses %s, saying what is wrong', (text, message) => {
    const parsed = parseScheduleExpression(text)
    expect(parsed.ok).toBe(false)
    expect(parsed.ok ? '' : parsed.message).toContain(message)
  })

  it('refuses what is not a string', () => {
    expect(parseScheduleExpression(5)).toEqual({ ok: false, message: 'expected "rate(…)" or "cron(…)", got number' })
  })
})
