import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { helpOption, parseDuration, withUsageErrors } from '../command-args.js'
import { UsageError } from '../usage-error.js'

export interface BenchOptions {
  /** A handler file (`fn.mjs`, `fn.mjs#export`) or a function name. */
  target: string
  /** With a function name: the functions folder. */
  dir?: string
  config?: string
  /** Fresh environments to sample; 0 skips the cold phase. */
  cold: number
  concurrency: number[]
  /** Each warm level runs this long… */
  durationMs: number | null
  /** …or this many invocations. */
  requests: number | null
  /** Events as JSON text, sent in turn. */
  events: string[]
  memoryMb?: number
  timeoutMs?: number
  json?: string
  compare?: string
  /** Percent; only with `compare`. */
  failOnRegression?: number
  http: boolean
}

const options = {
  config: { type: 'string' },
  cold: { type: 'string' },
  concurrency: { type: 'string' },
  duration: { type: 'string' },
  requests: { type: 'string' },
  event: { type: 'string' },
  'event-file': { type: 'string' },
  memory: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'string' },
  compare: { type: 'string' },
  'fail-on-regression': { type: 'string' },
  http: { type: 'boolean' },
  ...helpOption,
} as const

export const DEFAULTS = { cold: 10, concurrency: [1, 4, 16], durationMs: 5_000 } as const
/** Lambda's memory range; the host enforces it on the JS heap only. */
const MEMORY = { min: 128, max: 10_240 }
const MAX_CONCURRENCY = 1_000

/** Parses `lambdalet bench` arguments; `null` means `--help` was asked for. */
export async function parseBenchArgs(argv: string[]): Promise<BenchOptions | null> {
  const { values, positionals } = withUsageErrors(() =>
    parseArgs({ args: argv, options, strict: true, allowPositionals: true }),
  )
  if (values.help === true) return null
  const [target, dir, ...extra] = positionals
  if (target === undefined) throw new UsageError('expected a handler file or a function name to benchmark')
  if (extra.length > 0) {
    throw new UsageError(
      `expected a handler file or a function name and at most one folder, got ${positionals.length} arguments`,
    )
  }
  if (values.duration !== undefined && values.requests !== undefined) {
    throw new UsageError('expected --duration or --requests, not both')
  }
  if (values['fail-on-regression'] !== undefined && values.compare === undefined) {
    throw new UsageError('--fail-on-regression needs --compare <base.json>')
  }
  const requests = values.requests === undefined ? null : integer('--requests', values.requests, 1)
  const parsed: BenchOptions = {
    target,
    cold: values.cold === undefined ? DEFAULTS.cold : integer('--cold', values.cold, 0),
    concurrency: values.concurrency === undefined ? [...DEFAULTS.concurrency] : concurrencyLevels(values.concurrency),
    durationMs: requests === null ? positiveDuration('--duration', values.duration, DEFAULTS.durationMs) : null,
    requests,
    events: await readEvents(values.event, values['event-file']),
    http: values.http === true,
  }
  if (dir !== undefined) parsed.dir = dir
  if (values.config !== undefined) parsed.config = values.config
  if (values.memory !== undefined) parsed.memoryMb = integer('--memory', values.memory, MEMORY.min, MEMORY.max)
  if (values.timeout !== undefined) parsed.timeoutMs = positiveDuration('--timeout', values.timeout, 0)
  if (values.json !== undefined) parsed.json = values.json
  if (values.compare !== undefined) parsed.compare = values.compare
  if (values['fail-on-regression'] !== undefined) {
    parsed.failOnRegression = percent('--fail-on-regression', values['fail-on-regression'])
  }
  return parsed
}

function integer(flag: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const number = Number(value)
  if (!/^\d+$/.test(value) || number < min || number > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`
    throw new UsageError(`${flag}: expected an integer ${range}, got ${JSON.stringify(value)}`)
  }
  return number
}

function positiveDuration(flag: string, value: string | undefined, fallback: number): number {
  const ms = parseDuration(flag, value, fallback)
  if (ms === 0) throw new UsageError(`${flag}: expected a duration above zero, got ${JSON.stringify(value)}`)
  return ms
}

function concurrencyLevels(value: string): number[] {
  const parts = value.split(',').map((part) => part.trim())
  const levels = parts.map(Number)
  if (parts.some((part) => !/^\d+$/.test(part)) || levels.some((n) => n < 1 || n > MAX_CONCURRENCY)) {
    throw new UsageError(
      `--concurrency: expected integers from 1 to ${MAX_CONCURRENCY} separated by commas, such as 1,4,16, got ${JSON.stringify(value)}`,
    )
  }
  return [...new Set(levels)]
}

function percent(flag: string, value: string): number {
  const number = Number(value.replace(/%$/, ''))
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) {
    throw new UsageError(`${flag}: expected a percentage such as 10, got ${JSON.stringify(value)}`)
  }
  return number
}

/** A JSON event, or a JSON array whose items are sent in turn. */
async function readEvents(event: string | undefined, file: string | undefined): Promise<string[]> {
  if (event !== undefined && file !== undefined) throw new UsageError('expected --event or --event-file, not both')
  let text = event ?? '{}'
  let source = '--event'
  if (file !== undefined) {
    source = `--event-file ${file}`
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      throw new UsageError(
        `--event-file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      )
    }
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`the event from ${source} is not valid JSON (${(error as Error).message})`)
  }
  if (!Array.isArray(parsed)) return [JSON.stringify(parsed)]
  if (parsed.length === 0) {
    throw new UsageError(
      `the events from ${source} are an empty array; give at least one event (wrap an array event in another array)`,
    )
  }
  return parsed.map((item) => JSON.stringify(item))
}
