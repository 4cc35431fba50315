import { createRequire } from 'node:module'
import {
  ErrorType,
  functionArn,
  type HostStats,
  type InvokeOptions,
  type Invoker,
  LambdaError,
  type RawInvokeResult,
  serviceError,
} from '@lambdalet/protocol'
import PQueue from 'p-queue'
import { defaults } from './defaults.js'
import { FunctionService } from './function-service.js'
import { LineWriter, stdoutLines } from './line-writer.js'
import type { HostLogLevel, LogEntry } from './log-entry.js'
import { type HostOptions, resolveFunction, validateHostOptions } from './options.js'

// The runtime is never imported here: it only runs inside workers.
const workerFile = createRequire(import.meta.url).resolve('@lambdalet/runtime/worker')

/**
 * The embeddable host: one `FunctionService` (dispatcher, pool) per
 * function, behind the `Invoker` interface the gateway speaks.
 */
export class Host implements Invoker {
  #services = new Map<string, FunctionService>()
  #closing: Promise<void> | null = null
  #drainTimeoutMs: number
  #region: string
  #accountId: string
  #flushLogs: boolean

  constructor(options: HostOptions) {
    validateHostOptions(options)
    this.#drainTimeoutMs = options.drainTimeoutMs ?? defaults.drainTimeoutMs
    const region = options.region ?? defaults.region
    const accountId = options.accountId ?? defaults.accountId
    this.#region = region
    this.#accountId = accountId
    const configs = Object.entries(options.functions).map(([name, fn]) => resolveFunction(name, fn))
    const gate = options.maxConcurrency === undefined ? null : new PQueue({ concurrency: options.maxConcurrency })
    const { sink: log, level: logLevel } = logSettings(options.logs)
    this.#flushLogs = log instanceof LineWriter
    for (const config of configs) {
      this.#services.set(
        config.name,
        new FunctionService({ config, workerFile, region, accountId, gate, log, logLevel }),
      )
    }
  }

  /**
   * Invokes a function and resolves with its result (JSON semantics), or
   * with `{ result, logResult }` when `logType` is `Tail`. Rejects
   * with a `LambdaError` whose `errorType` is Lambda's: the thrown error's
   * name, `Sandbox.Timedout`, `Runtime.ExitError`, `TooManyRequestsException`…
   */
  invoke<Result = unknown>(
    name: string,
    event: unknown,
    options: InvokeOptions & { logType: 'Tail' },
  ): Promise<{ result: Result; logResult: string }>
  invoke<Result = unknown>(name: string, event?: unknown, options?: InvokeOptions): Promise<Result>
  async invoke(name: string, event?: unknown, options: InvokeOptions = {}): Promise<unknown> {
    const payload = event === undefined ? 'null' : JSON.stringify(event)
    const result = await this.invokeRaw(name, payload, options)
    if (result.functionError) {
      const error = new LambdaError(JSON.parse(result.payload), { requestId: result.requestId })
      if (result.logResult !== undefined) Object.assign(error, { logResult: result.logResult })
      throw error
    }
    const value: unknown = JSON.parse(result.payload)
    if (options.logType === 'Tail') return { result: value, logResult: result.logResult ?? '' }
    return value
  }

  /**
   * The raw call: the event as JSON text in, the result or function error as
   * JSON text out, never thrown. Service errors (unknown function, throttle,
   * closing) reject with a `LambdaError` carrying a `statusCode`.
   */
  invokeRaw(name: string, payload: string, options: InvokeOptions = {}): Promise<RawInvokeResult> {
    const service = this.#services.get(name)
    if (service === undefined) {
      return Promise.reject(
        serviceError(
          ErrorType.ResourceNotFound,
          `Function not found: ${functionArn(this.#region, this.#accountId, name)}`,
        ),
      )
    }
    return service.invoke(payload, options)
  }

  hasFunction(name: string): boolean {
    return this.#services.has(name)
  }

  room(name: string): number {
    return this.#services.get(name)?.room ?? 0
  }

  functionNames(): string[] {
    return [...this.#services.keys()]
  }

  stats(): HostStats {
    const functions: HostStats['functions'] = {}
    let concurrentExecutions = 0
    let threads = 0
    for (const [name, service] of this.#services) {
      functions[name] = service.stats()
      concurrentExecutions += service.busy
      threads += service.threads
    }
    return { functions, concurrentExecutions, threads, closing: this.#closing !== null }
  }

  /**
   * Stops accepting, lets in-flight and queued invocations finish (up to the
   * drain timeout, then terminates them), and terminates every worker.
   */
  close(): Promise<void> {
    this.#closing ??= Promise.all(
      [...this.#services.values()].map((service) => service.close(this.#drainTimeoutMs)),
    ).then(() => {
      if (this.#flushLogs) stdoutLines().flush()
    })
    return this.#closing
  }
}

/**
 * Where the lines go: the default is Lambda-style lines on stdout, through
 * the process's line writer (one write per event-loop turn).
 */
function logSettings(logs: HostOptions['logs']): {
  sink: ((entry: LogEntry) => void) | LineWriter | null
  level: HostLogLevel
} {
  const level = defaults.logLevel
  if (logs === false) return { sink: null, level }
  if (logs === undefined || logs === 'stdout') return { sink: stdoutLines(), level }
  if (typeof logs === 'function') return { sink: logs, level }
  const sink = logs.sink === undefined || logs.sink === 'stdout' ? stdoutLines() : logs.sink
  return { sink, level: logs.level ?? level }
}

export function createHost(options: HostOptions): Host {
  return new Host(options)
}
