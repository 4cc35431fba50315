import { createRequire } from 'node:module'
import {
  ErrorType,
  functionArn,
  type HostStats,
  type InvokeOptions,
  type Invoker,
  LambdaError,
  type RawInvokeResult,
  type StreamingInvokeResult,
  serviceError,
} from '@lambdalet/protocol'
import PQueue from 'p-queue'
import { CodeWatcher } from './code-watcher.js'
import { defaultMaxColdStarts, defaultMaxThreads, defaults } from './defaults.js'
import { FunctionService, type ServiceSettings } from './function-service.js'
import { type InvokeStreamResult, invokeStreamResult } from './invoke-stream.js'
import { LineWriter, stdoutLines } from './line-writer.js'
import type { HostLogLevel, LogEntry } from './log-entry.js'
import { type FunctionOptions, type HostOptions, resolveFunction, validateHostOptions } from './options.js'
import { ThreadBudget } from './thread-budget.js'

// The runtime is never imported here: it only runs inside workers.
const workerFile = createRequire(import.meta.url).resolve('@lambdalet/runtime/worker')

/**
 * The embeddable host: one `FunctionService` (dispatcher, pool) per
 * function, behind the `Invoker` interface the gateway speaks.
 */
export class Host implements Invoker {
  #services = new Map<string, FunctionService>()
  #closing: Promise<void> | null = null
  /** Functions removed while the host runs, still draining. */
  #removing = new Set<Promise<void>>()
  #drainTimeoutMs: number
  #region: string
  #accountId: string
  #flushLogs: boolean
  #shared: Omit<ServiceSettings, 'config'>
  #watcher: CodeWatcher | null = null

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
    const budget = new ThreadBudget({
      maxThreads: options.maxThreads ?? defaultMaxThreads(),
      maxColdStarts: options.maxColdStarts ?? defaultMaxColdStarts(),
    })
    const environment = {
      region,
      processEnv: options.processEnv ?? {},
      inheritEnv: options.inheritEnv ?? [],
      awsEndpoints: options.awsEndpoints ?? {},
    }
    this.#shared = { workerFile, environment, region, accountId, gate, budget, log, logLevel }
    for (const config of configs) this.#services.set(config.name, new FunctionService({ ...this.#shared, config }))
    const watch = options.watch
    if (watch !== undefined && watch !== false) {
      this.#watcher = new CodeWatcher({
        roots: [...this.#services.values()].map((service) => service.codeRoot),
        debounceMs: watch === true ? defaults.watchDebounceMs : (watch.debounceMs ?? defaults.watchDebounceMs),
        changed: (paths) => this.codeChanged(paths),
      })
    }
  }

  /**
   * Resolves once the code watcher (`watch: true`) sees changes; at once
   * when there is none.
   */
  async watching(): Promise<void> {
    await this.#watcher?.ready()
  }

  /**
   * Files were added, changed or removed: every function whose code they
   * can change is recycled (idle environments now, busy ones when their
   * invocation ends), so its next invocation is a cold start on the new
   * code. Returns the names recycled. `watch: true` calls this itself.
   */
  codeChanged(paths: readonly string[]): string[] {
    if (this.#closing !== null) return []
    const recycled: string[] = []
    for (const [name, service] of this.#services) {
      // Every path is offered: each marks the bundles it concerns stale.
      const touching = paths.filter((path) => service.touches(path))
      if (touching.length > 0) {
        service.recycle(touching)
        recycled.push(name)
      }
    }
    return recycled
  }

  /** Starts serving a new function (a file that appeared in a watched folder, say). */
  addFunction(name: string, options: FunctionOptions): void {
    if (this.#closing !== null) throw new Error('The host is closed')
    if (this.#services.has(name)) throw new TypeError(`Expected a new function name, got \`${name}\` (served already)`)
    const service = new FunctionService({ ...this.#shared, config: resolveFunction(name, options) })
    this.#services.set(name, service)
    this.#watcher?.add(service.codeRoot)
  }

  /**
   * Stops serving a function: new invocations get `ResourceNotFoundException`
   * at once, accepted ones finish (up to the drain timeout), then its
   * environments are terminated. Resolves when it is gone.
   */
  removeFunction(name: string): Promise<void> {
    const service = this.#services.get(name)
    if (service === undefined) return Promise.resolve()
    this.#services.delete(name)
    const removed = service.close(this.#drainTimeoutMs).finally(() => this.#removing.delete(removed))
    this.#removing.add(removed)
    return removed
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
    if (service === undefined) return Promise.reject(this.#notFound(name))
    return service.invoke(payload, options)
  }

  /**
   * Invokes a function for its response stream: resolves as soon as the
   * response begins, with the body's bytes as a `streamifyResponse` handler
   * writes them (an ordinary handler's result comes as one chunk). Rejects
   * with a `LambdaError` when it fails before the first byte.
   */
  async invokeStream(name: string, event?: unknown, options: InvokeOptions = {}): Promise<InvokeStreamResult> {
    const payload = event === undefined ? 'null' : JSON.stringify(event)
    return invokeStreamResult(await this.invokeStreamRaw(name, payload, options))
  }

  /** The raw streaming call the gateway makes (see `Invoker.invokeStreamRaw`). */
  invokeStreamRaw(name: string, payload: string, options: InvokeOptions = {}): Promise<StreamingInvokeResult> {
    const service = this.#services.get(name)
    if (service === undefined) return Promise.reject(this.#notFound(name))
    return service.invokeStream(payload, options)
  }

  #notFound(name: string): Error {
    return serviceError(
      ErrorType.ResourceNotFound,
      `Function not found: ${functionArn(this.#region, this.#accountId, name)}`,
    )
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
    this.#closing ??= Promise.all([
      this.#watcher?.close(),
      ...this.#removing,
      ...[...this.#services.values()].map((service) => service.close(this.#drainTimeoutMs)),
    ]).then(() => {
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
