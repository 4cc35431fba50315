import { storeKind } from '@lambdalet/events'
import type { PayloadFormatVersion } from '@lambdalet/gateway'
import type { FunctionOptions } from '@lambdalet/host'
import { EVENT_AGE_SECONDS_RANGE, type EventInvokeConfig, RETRY_ATTEMPTS_RANGE } from '@lambdalet/protocol'
import { describeValue, keyPath } from './config-error.js'
import { checkEventSources, type EventSourceEntry } from './event-sources.js'
import { isFunctionName } from './function-definition.js'
import { queueNames, queuesProblems } from './queues-config.js'

/** A function's entry in a config file: every field optional, since a folder may supply the handler. */
export type FunctionEntry = Partial<FunctionOptions> &
  EventInvokeConfig & { routes?: string[]; payloadFormatVersion?: PayloadFormatVersion; events?: EventSourceEntry[] }

export interface ConfigFile {
  functions: Record<string, FunctionEntry>
  maxConcurrency?: number
  maxThreads?: number
  maxColdStarts?: number
  /** A file holding the API key, relative to the config file. */
  apiKeyFile?: string
  region?: string
  accountId?: string
  drainTimeoutMs?: number
  /** Where Event invocations are kept: a directory, `memory`, `redis://…`. */
  store?: string
  retryDelaysMs?: [number, number]
  throttleBackoffMs?: { initial: number; max: number }
  /** On a shared store, how long an instance holds an event before another may take it (renewed while it runs). */
  leaseMs?: number
  /** SQS-style queues by name: `visibilityTimeoutSeconds`, `maxReceiveCount`, `deadLetterQueue`, … */
  queues?: Record<string, Record<string, unknown>>
  /** Names of the server's environment variables every function gets (`NODE_ENV`, …). */
  inheritEnv?: string[]
}

type Check = (value: unknown) => string | null

const integer =
  (minimum: number, expected: string): Check =>
  (value) =>
    typeof value === 'number' && Number.isInteger(value) && value >= minimum ? null : expected
const positiveInteger = integer(1, 'a positive integer')
const integerIn =
  (range: { min: number; max: number }): Check =>
  (value) =>
    typeof value === 'number' && Number.isInteger(value) && value >= range.min && value <= range.max
      ? null
      : `an integer from ${range.min} to ${range.max}`
const nonNegativeInteger = integer(0, 'a non-negative integer')
const nonEmptyString: Check = (value) =>
  typeof value === 'string' && value.trim() !== '' ? null : 'a non-empty string'
const pattern =
  (regex: RegExp, expected: string): Check =>
  (value) =>
    typeof value === 'string' && regex.test(value) ? null : expected

const envNameList: Check = (value) =>
  Array.isArray(value) && value.every((name) => typeof name === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    ? null
    : 'an array of variable names such as ["NODE_ENV"]'

// Mirrors the host's and the gateway's own checks, so that every mistake is
// reported with the file and key before anything starts.
const functionChecks: Record<keyof FunctionEntry, Check> = {
  handler: nonEmptyString,
  codeDir: nonEmptyString,
  timeoutMs: positiveInteger,
  memoryMb: integer(16, 'an integer of at least 16 (MB)'),
  maxConcurrency: positiveInteger,
  maxQueue: nonNegativeInteger,
  idleTimeoutMs: positiveInteger,
  minWarm: nonNegativeInteger,
  initTimeoutMs: positiveInteger,
  maxStreamBytes: positiveInteger,
  env: () => null, // checked key by key below
  inheritEnv: envNameList,
  logBudgetBytes: nonNegativeInteger,
  runtime: (value) => (value === 'thread' || value === 'process' ? null : '"thread" or "process"'),
  command: (value) =>
    Array.isArray(value) && value.length > 0 && value.every((part) => typeof part === 'string') && value[0] !== ''
      ? null
      : 'a non-empty array of strings, e.g. ["node_modules/.bin/aws-lambda-ric", "index.handler"]',
  routes: () => null,
  maximumRetryAttempts: integerIn(RETRY_ATTEMPTS_RANGE),
  maximumEventAgeInSeconds: integerIn(EVENT_AGE_SECONDS_RANGE),
  // Which functions exist is known once the folder is read: checked in load-project.
  // `queue:<name>` targets a queue; both kinds are checked against what exists in load-project.
  destinations: (value) =>
    isObject(value) &&
    Object.entries(value).every(
      ([key, target]) => (key === 'onSuccess' || key === 'onFailure') && typeof target === 'string',
    )
      ? null
      : 'an object with onSuccess and/or onFailure naming functions (or queue:<name>)',
  // A string, as in API Gateway: JSON's 1.0 is the number 1.
  payloadFormatVersion: (value) => (value === '1.0' || value === '2.0' ? null : '"1.0" or "2.0"'),
  events: () => null, // checked entry by entry below
}

const topChecks: Record<Exclude<keyof ConfigFile, 'functions'>, Check> = {
  maxConcurrency: positiveInteger,
  maxThreads: positiveInteger,
  maxColdStarts: positiveInteger,
  apiKeyFile: (value) => (typeof value === 'string' && value !== '' ? null : 'a file name'),
  drainTimeoutMs: nonNegativeInteger,
  region: pattern(/^[a-z]{2}(?:-gov)?-[a-z]+-\d$/, 'a region like "us-east-1"'),
  accountId: pattern(/^\d{12}$/, 'a 12-digit account id'),
  store: (value) => {
    if (typeof value !== 'string') return 'a directory, "memory", "redis://…" or "postgres://…"'
    const kind = storeKind(value)
    return kind.ok ? null : kind.message
  },
  leaseMs: integer(1_000, 'an integer of at least 1000 (ms)'),
  queues: () => null, // checked queue by queue below
  inheritEnv: envNameList,
  retryDelaysMs: (value) =>
    Array.isArray(value) && value.length === 2 && value.every((n) => nonNegativeInteger(n) === null)
      ? null
      : 'two non-negative integers (ms before the first and the second retry), e.g. [60000, 120000]',
  throttleBackoffMs: (value) =>
    isObject(value) &&
    Object.keys(value).every((key) => key === 'initial' || key === 'max') &&
    positiveInteger(value['initial']) === null &&
    positiveInteger(value['max']) === null &&
    (value['max'] as number) >= (value['initial'] as number)
      ? null
      : '{ "initial": ms, "max": ms } with 0 < initial ≤ max',
}

const ROUTE_KEY = /^(?:\$default|(?:GET|POST|PUT|PATCH|DELETE|OPTIONS|ANY) \/\S*)$/i
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * Checks a parsed config file and lists every problem as
 * `key.path: expected …, got …`. Returns the config only when there is none.
 */
export function validateConfig(raw: unknown): { config: ConfigFile | null; issues: string[] } {
  const issues: string[] = []
  const expect = (path: string, expected: string, value: unknown): void => {
    issues.push(`${path}: expected ${expected}, got ${describeValue(value)}`)
  }
  if (!isObject(raw)) {
    expect('(top level)', 'an object with "functions"', raw)
    return { config: null, issues }
  }
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'functions' || key === '$schema') continue
    const check = own(topChecks, key)
    if (check === undefined) unknownKey(issues, key, ['functions', ...Object.keys(topChecks)])
    else checkValue(expect, key, check, value)
  }
  issues.push(...queuesProblems(raw['queues']))
  const queues = queueNames(raw['queues'])
  const functions = raw['functions']
  if (!isObject(functions)) {
    expect('functions', 'an object of function name → settings', functions)
    return { config: null, issues }
  }
  const ruleNames = new Map<string, string>()
  for (const [name, entry] of Object.entries(functions)) {
    const at = keyPath('functions', name)
    if (!isFunctionName(name)) {
      issues.push(`${at}: expected a function name of 1 to 64 letters, digits, "-" or "_"`)
      continue
    }
    if (!isObject(entry)) {
      expect(at, 'an object of settings', entry)
      continue
    }
    for (const [key, value] of Object.entries(entry)) {
      const check = own(functionChecks, key)
      if (check === undefined) unknownKey(issues, keyPath(at, key), Object.keys(functionChecks))
      else checkValue(expect, keyPath(at, key), check, value)
    }
    if (entry.command !== undefined && entry.runtime !== 'process') {
      issues.push(`${keyPath(at, 'command')}: only for "runtime": "process"`)
    }
    const { minWarm, maxConcurrency } = entry
    if (typeof minWarm === 'number' && typeof maxConcurrency === 'number' && minWarm > maxConcurrency) {
      expect(keyPath(at, 'minWarm'), `at most maxConcurrency (${maxConcurrency})`, minWarm)
    }
    checkEnv(expect, keyPath(at, 'env'), entry['env'])
    checkRoutes(expect, keyPath(at, 'routes'), entry['routes'])
    issues.push(...checkEventSources(entry['events'], keyPath(at, 'events'), name, ruleNames, queues))
  }
  return { config: issues.length === 0 ? (raw as unknown as ConfigFile) : null, issues }
}

function checkValue(
  expect: (p: string, e: string, v: unknown) => void,
  path: string,
  check: Check,
  value: unknown,
): void {
  const expected = check(value)
  if (expected !== null) expect(path, expected, value)
}

function unknownKey(issues: string[], path: string, known: readonly string[]): void {
  issues.push(`${path}: unknown key (expected one of ${known.join(', ')})`)
}

function checkEnv(expect: (p: string, e: string, v: unknown) => void, path: string, env: unknown): void {
  if (env === undefined) return
  if (!isObject(env)) return expect(path, 'an object of strings', env)
  for (const [name, value] of Object.entries(env)) {
    if (!ENV_NAME.test(name)) expect(keyPath(path, name), 'a variable name of letters, digits and "_"', name)
    else if (typeof value !== 'string') expect(keyPath(path, name), 'a string', value)
  }
}

function checkRoutes(expect: (p: string, e: string, v: unknown) => void, path: string, routes: unknown): void {
  if (routes === undefined) return
  if (!Array.isArray(routes)) return expect(path, 'an array of route keys such as "GET /hello"', routes)
  routes.forEach((route: unknown, index) => {
    if (typeof route !== 'string' || !ROUTE_KEY.test(route)) {
      expect(`${path}[${index}]`, 'a route key such as "GET /users/{id}", "ANY /files/{proxy+}" or "$default"', route)
    }
  })
}

/** A lookup that `constructor` or `__proto__` in a config file cannot fool. */
function own(checks: Record<string, Check>, key: string): Check | undefined {
  return Object.hasOwn(checks, key) ? checks[key] : undefined
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
