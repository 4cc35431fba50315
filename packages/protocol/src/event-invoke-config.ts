/**
 * A function's asynchronous-invocation settings, as Lambda's
 * FunctionEventInvokeConfig holds them, with destinations named by function.
 * One home for the ranges: the config file, the events package and the
 * gateway's event-invoke-config API all check against these.
 */
export interface EventInvokeConfig {
  /** Retries after a function error: 0 to 2. */
  maximumRetryAttempts?: number
  /** How long an event may wait in the queue, in seconds: 60 to 21600. */
  maximumEventAgeInSeconds?: number
  destinations?: {
    /** A function invoked asynchronously with the invocation record of each success, or `queue:<name>`. */
    onSuccess?: string
    /** A function invoked asynchronously with the record of each event that was dropped, or `queue:<name>`. */
    onFailure?: string
  }
}

export const RETRY_ATTEMPTS_RANGE = { min: 0, max: 2, default: 2 } as const
export const EVENT_AGE_SECONDS_RANGE = { min: 60, max: 21_600, default: 21_600 } as const

export type ConfigCheck = { ok: true; config: EventInvokeConfig } | { ok: false; problems: string[] }

/**
 * Checks a config from a file or an API body (already mapped to these
 * names) and lists every problem as `key: expected …, got …`.
 * `isDestination` says whether a destination names a served function (or a
 * queue, as `queue:<name>`).
 */
export function checkEventInvokeConfig(raw: unknown, isDestination: (name: string) => boolean): ConfigCheck {
  const problems: string[] = []
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, problems: [`expected an object, got ${show(raw)}`] }
  }
  const value = raw as Record<string, unknown>
  const config: EventInvokeConfig = {}
  const retries = value['maximumRetryAttempts']
  if (retries !== undefined) {
    if (isIntegerIn(retries, RETRY_ATTEMPTS_RANGE)) config.maximumRetryAttempts = retries
    else problems.push(`maximumRetryAttempts: expected an integer from 0 to 2, got ${show(retries)}`)
  }
  const age = value['maximumEventAgeInSeconds']
  if (age !== undefined) {
    if (isIntegerIn(age, EVENT_AGE_SECONDS_RANGE)) config.maximumEventAgeInSeconds = age
    else problems.push(`maximumEventAgeInSeconds: expected an integer from 60 to 21600, got ${show(age)}`)
  }
  const destinations = value['destinations']
  if (destinations !== undefined) {
    if (typeof destinations !== 'object' || destinations === null || Array.isArray(destinations)) {
      problems.push(`destinations: expected an object with onSuccess and/or onFailure, got ${show(destinations)}`)
    } else {
      config.destinations = {}
      for (const [key, target] of Object.entries(destinations)) {
        if (key !== 'onSuccess' && key !== 'onFailure') {
          problems.push(`destinations.${key}: unknown key (expected onSuccess or onFailure)`)
        } else if (typeof target !== 'string' || !isDestination(target)) {
          problems.push(
            `destinations.${key}: expected the name of a function served here, or queue:<name> of a queue here, got ${show(target)}`,
          )
        } else {
          config.destinations[key] = target
        }
      }
    }
  }
  for (const key of Object.keys(value)) {
    if (!['maximumRetryAttempts', 'maximumEventAgeInSeconds', 'destinations'].includes(key)) {
      problems.push(`${key}: unknown key (expected maximumRetryAttempts, maximumEventAgeInSeconds or destinations)`)
    }
  }
  return problems.length === 0 ? { ok: true, config } : { ok: false, problems }
}

function isIntegerIn(value: unknown, range: { min: number; max: number }): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= range.min && value <= range.max
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing'
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
