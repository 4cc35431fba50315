import { dirname, isAbsolute, resolve } from 'node:path'
import { FUNCTION_NAME_PATTERN, type HandlerSpec, type LogLevel, parseHandler } from '@lambdalet/protocol'
import { defaultConcurrency, defaults } from './defaults.js'
import { HOST_LOG_LEVELS, type HostLogLevel, type LogEntry } from './log-entry.js'

/** Receives every log entry at or above the host's log level. */
export type LogSink = (entry: LogEntry) => void

/** Where log lines go and which: `sink` is `'stdout'` (the default) or a function. */
export interface LogOptions {
  /** `debug`, `info` (default), `warn`, `error` or `silent`. */
  level?: HostLogLevel
  sink?: 'stdout' | LogSink
}

export interface FunctionOptions {
  /**
   * `file.mjs`, `file.mjs#export`, or Lambda style `src/index.handler`; for a
   * process environment, its `_HANDLER`, which the runtime client reads.
   */
  handler: string
  /**
   * What runs the function: `thread` (default), a worker thread in this
   * process; `process`, a child process running any Lambda runtime client
   * against its own HTTP Runtime API.
   */
  runtime?: RuntimeKind
  /**
   * For `runtime: 'process'`: the executable and its arguments, a relative
   * path resolved against `codeDir` (as a container's entrypoint is); by
   * default the `bootstrap` file in `codeDir` (as `provided.al2023` runs).
   */
  command?: string[]
  /** Base for a relative handler path (default: `process.cwd()`). */
  codeDir?: string
  /** Invocation timeout; default 3000, as Lambda. */
  timeoutMs?: number
  /** The worker's JS heap limit in MB; default 128, as Lambda. */
  memoryMb?: number
  /** Environments this function may run at once; default 10. */
  maxConcurrency?: number
  /** Invocations waiting beyond that before `TooManyRequestsException`; default 1000. */
  maxQueue?: number
  /** An environment idle this long is terminated; default 300000 (5 minutes). */
  idleTimeoutMs?: number
  /** Environments kept initialised and idle; default 0. */
  minWarm?: number
  /** Budget for loading the module on a cold start; default 10000, as Lambda. */
  initTimeoutMs?: number
  /** This function's environment variables (its own copy of `process.env`). */
  env?: Record<string, string>
  /**
   * Bytes of log lines one invocation may write; past them its lines are
   * dropped and a last line says how many. Default 8 MiB.
   */
  logBudgetBytes?: number
  /** Names of variables this function also gets from the host's `processEnv` (`NODE_ENV`, …). */
  inheritEnv?: string[]
  /** Bytes a streamed response may carry before it fails with `Function.ResponseSizeTooLarge`; default 200 MB, as Lambda. */
  maxStreamBytes?: number
}

export interface HostOptions {
  functions: Record<string, FunctionOptions>
  /** Invocations running at once, all functions together; default unlimited. */
  maxConcurrency?: number
  /**
   * Worker threads, live and still exiting, all functions together; default
   * 32 per core, at most one per 64 MB of memory. Past it, invocations wait
   * in their queues and idle environments of other functions are reclaimed.
   */
  maxThreads?: number
  /** Environments starting at once, all functions together; default one per core. */
  maxColdStarts?: number
  /**
   * Where START / END / REPORT lines and function logs go: `'stdout'`
   * (default) prints Lambda-style lines, `false` drops them, a function
   * receives every entry; `{ level, sink }` chooses which lines too
   * (START / END / REPORT are `info`, a function's lines have their own
   * level, the host's lines about a timeout, crash or failed init `error`).
   */
  logs?: 'stdout' | false | LogSink | LogOptions
  /** Region and account used in ARNs and environment variables. */
  region?: string
  accountId?: string
  /** How long `close()` waits for in-flight invocations before terminating them; default 10000. */
  drainTimeoutMs?: number
  /**
   * Watch each function's code root (`node_modules` ignored): after a
   * change, debounced (`debounceMs`, default 150), the functions it concerns
   * are recycled, so their next invocation is a cold start on the new code.
   */
  watch?: boolean | { debounceMs?: number }
  /**
   * The environment functions inherit from; pass `process.env`. Only
   * `PATH`, `LANG`, `TZ`, `HOME`, `TMPDIR`, the AWS credentials
   * (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, or
   * `AWS_PROFILE`; dummy ones when there are none) and the `inheritEnv`
   * names are taken from it. Default: none of it.
   */
  processEnv?: Readonly<Record<string, string | undefined>>
  /** Names of variables every function also gets from `processEnv` (`NODE_ENV`, …). */
  inheritEnv?: string[]
  /**
   * Service → endpoint URL, given to functions as `AWS_ENDPOINT_URL_<SERVICE>`
   * so that an AWS SDK client inside a handler calls it: `lambdalet serve`
   * points `lambda` and `sqs` at itself.
   */
  awsEndpoints?: Record<string, string>
}

export type RuntimeKind = 'thread' | 'process'

/** How a function's environments run: its module in a worker thread, or a command in a child process. */
export type RuntimeSpec = { kind: 'thread' } | { kind: 'process'; command: [string, ...string[]] }

/** A function's options with defaults applied, validated once at start-up. */
export interface FunctionConfig {
  name: string
  handler: string
  /** The function's code root (`LAMBDA_TASK_ROOT`): `codeDir`, or the handler file's folder. */
  codeRoot: string
  /** The module a thread loads; for a process, no candidates (its runtime client finds the code). */
  spec: HandlerSpec
  runtime: RuntimeSpec
  timeoutMs: number
  memoryMb: number
  maxConcurrency: number
  maxQueue: number
  idleTimeoutMs: number
  minWarm: number
  initTimeoutMs: number
  env: Record<string, string>
  logBudgetBytes: number
  /** From the function's `AWS_LAMBDA_LOG_FORMAT` and `AWS_LAMBDA_LOG_LEVEL`, as Lambda reads them. */
  logFormat: 'Text' | 'JSON'
  logLevel: LogLevel
  inheritEnv: string[]
  maxStreamBytes: number
}

const functionKeys = new Set([
  'handler',
  'runtime',
  'command',
  'codeDir',
  'timeoutMs',
  'memoryMb',
  'maxConcurrency',
  'maxQueue',
  'idleTimeoutMs',
  'minWarm',
  'initTimeoutMs',
  'env',
  'logBudgetBytes',
  'inheritEnv',
  'maxStreamBytes',
])
const hostKeys = new Set([
  'functions',
  'maxConcurrency',
  'maxThreads',
  'maxColdStarts',
  'logs',
  'region',
  'accountId',
  'drainTimeoutMs',
  'watch',
  'processEnv',
  'inheritEnv',
  'awsEndpoints',
])
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

function envNames(key: string, value: unknown): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || value.some((name) => typeof name !== 'string' || !ENV_NAME.test(name))) {
    throw new TypeError(`Expected \`${key}\` to be an array of variable names, got \`${JSON.stringify(value)}\``)
  }
  return [...value]
}

export function validateHostOptions(options: HostOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Expected host options to be an object, got \`${String(options)}\``)
  }
  for (const key of Object.keys(options)) {
    if (!hostKeys.has(key)) throw new TypeError(`Unknown host option \`${key}\``)
  }
  if (typeof options.functions !== 'object' || options.functions === null) {
    throw new TypeError(`Expected \`functions\` to be an object, got \`${String(options.functions)}\``)
  }
  optionalInteger('maxConcurrency', options.maxConcurrency, 1)
  optionalInteger('maxThreads', options.maxThreads, 1)
  optionalInteger('maxColdStarts', options.maxColdStarts, 1)
  optionalInteger('drainTimeoutMs', options.drainTimeoutMs, 0)
  const watch = options.watch
  if (watch !== undefined && typeof watch !== 'boolean') {
    if (typeof watch !== 'object' || watch === null) {
      throw new TypeError(`Expected \`watch\` to be a boolean or { debounceMs }, got \`${String(watch)}\``)
    }
    optionalInteger('watch.debounceMs', watch.debounceMs, 0)
  }
  envNames('inheritEnv', options.inheritEnv)
  for (const [key, value] of [
    ['processEnv', options.processEnv],
    ['awsEndpoints', options.awsEndpoints],
  ] as const) {
    if (value !== undefined && (typeof value !== 'object' || value === null)) {
      throw new TypeError(`Expected \`${key}\` to be an object of strings, got \`${String(value)}\``)
    }
  }
  const logs = options.logs
  if (logs === undefined || logs === false || logs === 'stdout' || typeof logs === 'function') return
  if (typeof logs !== 'object' || logs === null) {
    throw new TypeError(
      `Expected \`logs\` to be 'stdout', false, a function or { level, sink }, got \`${String(logs)}\``,
    )
  }
  for (const key of Object.keys(logs)) {
    if (key !== 'level' && key !== 'sink') throw new TypeError(`Unknown host option \`logs.${key}\``)
  }
  if (logs.level !== undefined && !HOST_LOG_LEVELS.includes(logs.level)) {
    throw new TypeError(
      `Expected \`logs.level\` to be one of ${HOST_LOG_LEVELS.join(', ')}, got \`${String(logs.level)}\``,
    )
  }
  if (logs.sink !== undefined && logs.sink !== 'stdout' && typeof logs.sink !== 'function') {
    throw new TypeError(`Expected \`logs.sink\` to be 'stdout' or a function, got \`${String(logs.sink)}\``)
  }
}

export function resolveFunction(name: string, options: FunctionOptions): FunctionConfig {
  if (!FUNCTION_NAME_PATTERN.test(name)) {
    throw new TypeError(`Expected a function name matching ${FUNCTION_NAME_PATTERN}, got \`${name}\``)
  }
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Expected \`functions.${name}\` to be an object, got \`${String(options)}\``)
  }
  for (const key of Object.keys(options)) {
    if (!functionKeys.has(key)) throw new TypeError(`Unknown option \`functions.${name}.${key}\``)
  }
  const at = (key: string) => `functions.${name}.${key}`
  const maxConcurrency = optionalInteger(at('maxConcurrency'), options.maxConcurrency, 1) ?? defaultConcurrency()
  const minWarm = optionalInteger(at('minWarm'), options.minWarm, 0) ?? defaults.minWarm
  if (minWarm > maxConcurrency) {
    throw new RangeError(
      `Expected \`${at('minWarm')}\` (${minWarm}) to be at most \`maxConcurrency\` (${maxConcurrency})`,
    )
  }
  if (options.codeDir !== undefined && typeof options.codeDir !== 'string') {
    throw new TypeError(`Expected \`${at('codeDir')}\` to be a string, got \`${String(options.codeDir)}\``)
  }
  const env = options.env ?? {}
  if (typeof env !== 'object' || env === null || Object.values(env).some((v) => typeof v !== 'string')) {
    throw new TypeError(`Expected \`${at('env')}\` to be an object of strings`)
  }
  const runtime = resolveRuntime(name, options)
  const spec =
    runtime.kind === 'thread'
      ? parseHandler(options.handler, options.codeDir ?? process.cwd())
      : { candidates: [], exportName: options.handler }
  return {
    name,
    handler: options.handler,
    codeRoot: options.codeDir === undefined ? dirname(spec.candidates[0] ?? process.cwd()) : resolve(options.codeDir),
    spec,
    runtime,
    timeoutMs: optionalInteger(at('timeoutMs'), options.timeoutMs, 1) ?? defaults.timeoutMs,
    memoryMb: optionalInteger(at('memoryMb'), options.memoryMb, 16) ?? defaults.memoryMb,
    maxConcurrency,
    maxQueue: optionalInteger(at('maxQueue'), options.maxQueue, 0) ?? defaults.maxQueue,
    idleTimeoutMs: optionalInteger(at('idleTimeoutMs'), options.idleTimeoutMs, 1) ?? defaults.idleTimeoutMs,
    minWarm,
    initTimeoutMs: optionalInteger(at('initTimeoutMs'), options.initTimeoutMs, 1) ?? defaults.initTimeoutMs,
    env: { ...env },
    logBudgetBytes: optionalInteger(at('logBudgetBytes'), options.logBudgetBytes, 0) ?? defaults.logBudgetBytes,
    ...logControls(env),
    inheritEnv: envNames(at('inheritEnv'), options.inheritEnv),
    maxStreamBytes: optionalInteger(at('maxStreamBytes'), options.maxStreamBytes, 1) ?? defaults.maxStreamBytes,
  }
}

const lambdaLevels = new Set<string>(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'])

/**
 * Lambda's advanced logging controls, from the function's variables:
 * `AWS_LAMBDA_LOG_FORMAT=JSON` makes `console.*` lines JSON, and
 * `AWS_LAMBDA_LOG_LEVEL` (INFO by default with JSON, as Lambda's) drops the
 * calls below it. An unknown level logs everything, as Lambda's runtime does.
 */
function logControls(env: Record<string, string>): Pick<FunctionConfig, 'logFormat' | 'logLevel'> {
  const logFormat = env['AWS_LAMBDA_LOG_FORMAT']?.toUpperCase() === 'JSON' ? 'JSON' : 'Text'
  const level = env['AWS_LAMBDA_LOG_LEVEL']?.toUpperCase()
  if (level !== undefined && lambdaLevels.has(level)) return { logFormat, logLevel: level as LogLevel }
  return { logFormat, logLevel: logFormat === 'JSON' && level === undefined ? 'INFO' : 'TRACE' }
}

function optionalInteger(key: string, value: unknown, minimum: number): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw new TypeError(`Expected \`${key}\` to be an integer of at least ${minimum}, got \`${String(value)}\``)
  }
  return value
}

function resolveRuntime(name: string, options: FunctionOptions): RuntimeSpec {
  const at = (key: string) => `functions.${name}.${key}`
  const kind = options.runtime ?? 'thread'
  if (kind !== 'thread' && kind !== 'process') {
    throw new TypeError(`Expected \`${at('runtime')}\` to be 'thread' or 'process', got \`${String(kind)}\``)
  }
  if (kind === 'thread') {
    if (options.command !== undefined) {
      throw new TypeError(`Expected \`${at('command')}\` only with \`runtime: 'process'\``)
    }
    return { kind }
  }
  const codeDir = resolve(options.codeDir ?? process.cwd())
  if (typeof options.handler !== 'string' || options.handler.trim() === '') {
    throw new TypeError(`Expected \`${at('handler')}\` to be a non-empty string, got \`${String(options.handler)}\``)
  }
  const command = options.command ?? ['bootstrap']
  if (
    !Array.isArray(command) ||
    command.length === 0 ||
    command.some((part) => typeof part !== 'string') ||
    command[0] === ''
  ) {
    throw new TypeError(`Expected \`${at('command')}\` to be a non-empty array of strings, got \`${String(command)}\``)
  }
  const [file, ...args] = command as [string, ...string[]]
  // A bare name is looked up on the environment's PATH, as a container's entrypoint is; a path is the code's.
  const executable = options.command === undefined || file.includes('/') ? absolute(file, codeDir) : file
  return { kind, command: [executable, ...args] }
}

function absolute(file: string, base: string): string {
  return isAbsolute(file) ? file : resolve(base, file)
}
