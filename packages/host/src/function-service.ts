import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import PQueue from 'p-queue'
import { Piscina } from 'piscina'
import {
  ErrorType,
  LambdaError,
  serviceError,
  TAIL_LOG_BYTES,
  type ErrorShape,
  type FunctionStats,
  type InvokeOptions,
  type LogMessage,
  type RawInvokeResult,
  type RuntimeConfig,
} from '@lambdalet/protocol'
import { createHistogram, observe } from './duration-histogram.js'
import { Environment, type EnvironmentEvents } from './environment.js'
import type { Invocation, Outcome } from './invocation.js'
import { endLine, functionLine, reportLine, startLine, type LogEntry, type Report } from './log-entry.js'
import type { FunctionConfig } from './options.js'

export interface ServiceSettings {
  config: FunctionConfig
  workerFile: string
  region: string
  accountId: string
  /** Host-wide concurrency gate, when the host has a limit. */
  gate: PQueue | null
  log: ((entry: LogEntry) => void) | null
}

const MB = 1024 * 1024

/**
 * The Lambda service for one function: its queue (p-queue, concurrency =
 * the function's limit, bounded), its environments (warm ones first, cold
 * starts when none is idle), its counters. One Piscina pool supplies the
 * threads, with this function's heap limit and environment variables.
 */
export class FunctionService {
  readonly name: string
  readonly arn: string
  #settings: ServiceSettings
  #config: FunctionConfig
  #pool: Piscina
  #queue: PQueue
  #runtime: RuntimeConfig
  #environments = new Set<Environment>()
  /** Idle environments, most recently used last: warm reuse takes the warmest. */
  #idle: Environment[] = []
  #dying = 0
  #dyingWaiters: Array<() => void> = []
  #busy = 0
  #closing = false
  /** Set when the drain timed out: whatever still starts fails at once. */
  #aborted = false
  #stats: Omit<FunctionStats, 'environments' | 'queue'> = {
    invocations: 0,
    errors: 0,
    throttles: 0,
    timeouts: 0,
    coldStarts: 0,
    duration: createHistogram(),
  }
  #events: EnvironmentEvents

  constructor(settings: ServiceSettings) {
    const { config } = settings
    this.#settings = settings
    this.#config = config
    this.name = config.name
    this.arn = `arn:aws:lambda:${settings.region}:${settings.accountId}:function:${config.name}`
    this.#queue = new PQueue({ concurrency: config.maxConcurrency })
    const logStream = `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomUUID().replaceAll('-', '')}`
    this.#runtime = {
      functionName: config.name,
      invokedFunctionArn: this.arn,
      functionVersion: '$LATEST',
      moduleCandidates: config.spec.candidates,
      exportName: config.spec.exportName,
      handlerName: config.handler,
      memoryLimitInMB: config.memoryMb,
      initTimeoutMs: config.initTimeoutMs,
      logGroupName: `/aws/lambda/${config.name}`,
      logStreamName: logStream,
    }
    this.#pool = new Piscina({
      filename: settings.workerFile,
      // Each task is a whole environment; the thread is ours until it dies.
      minThreads: 0,
      // Our own accounting bounds threads (live + dying); Piscina must never
      // queue an environment behind another one, which would never finish.
      maxThreads: config.maxConcurrency * 2 + 1,
      concurrentTasksPerWorker: 1,
      idleTimeout: 1000,
      // Sync atomics would pause a worker between tasks; our loop waits on its port.
      atomics: 'disabled',
      resourceLimits: { maxOldGenerationSizeMb: config.memoryMb, maxYoungGenerationSizeMb: Math.min(32, Math.max(4, config.memoryMb / 8)) },
      env: this.#environmentVariables(settings),
    })
    // A worker that dies with no task in it is reported here; environments
    // already learn about their own deaths through their tasks.
    this.#pool.on('error', () => {})
    this.#events = {
      idle: (environment) => this.#onIdle(environment),
      dead: (environment) => this.#onDead(environment),
      idleTimeout: (environment) => {
        if (this.#environments.size > this.#config.minWarm) environment.destroy()
      },
      exited: () => this.#onExited(),
      log: (environment, message) => this.#onLog(environment, message),
    }
    for (let i = 0; i < config.minWarm; i++) this.#prewarm()
  }

  invoke(payload: string, options: InvokeOptions): Promise<RawInvokeResult> {
    if (this.#closing) {
      return Promise.reject(serviceError(ErrorType.ServiceUnavailable, 'The host is shutting down'))
    }
    const queue = this.#queue
    if (queue.pending >= this.#config.maxConcurrency && queue.size >= this.#config.maxQueue) {
      this.#stats.throttles++
      return Promise.reject(
        serviceError(ErrorType.TooManyRequests, 'Rate Exceeded.', {
          reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
        }),
      )
    }
    return new Promise<RawInvokeResult>((resolve, reject) => {
      const invocation: Invocation = {
        requestId: options.requestId ?? randomUUID(),
        payload,
        options,
        tail: options.logType === 'Tail' ? [] : null,
        resolve,
        reject,
      }
      const gate = this.#settings.gate
      queue
        .add(gate === null ? () => this.#execute(invocation) : () => gate.add(() => this.#execute(invocation)))
        .catch(reject)
    })
  }

  stats(): FunctionStats {
    const environments = { starting: 0, idle: 0, busy: 0, dying: this.#dying }
    for (const environment of this.#environments) {
      if (environment.state !== 'dead') environments[environment.state]++
    }
    return {
      ...this.#stats,
      duration: { ...this.#stats.duration, counts: [...this.#stats.duration.counts] },
      environments,
      queue: { waiting: this.#queue.size, running: this.#queue.pending },
    }
  }

  get threads(): number {
    return this.#environments.size + this.#dying
  }

  /** Invocations running in an environment now. */
  get busy(): number {
    return this.#busy
  }

  /**
   * Stops taking invocations, lets accepted ones finish for up to
   * `drainTimeoutMs`, then fails what is left, and terminates every thread.
   */
  async close(drainTimeoutMs: number): Promise<void> {
    this.#closing = true
    let timer: NodeJS.Timeout | undefined
    const drained = await Promise.race([
      this.#queue.onIdle().then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), drainTimeoutMs)
      }),
    ])
    clearTimeout(timer)
    if (!drained) {
      // Queued invocations start, see #aborted and fail at once; running ones
      // fail as their environments are destroyed.
      this.#aborted = true
      for (const environment of [...this.#environments]) environment.destroy()
      await this.#queue.onIdle()
    }
    for (const environment of [...this.#environments]) environment.shutdown()
    await this.#pool.destroy()
    await this.#waitForThreadsToExit(drainTimeoutMs)
  }

  async #execute(invocation: Invocation): Promise<void> {
    if (this.#aborted) {
      throw serviceError(ErrorType.ServiceUnavailable, 'The host shut down before the invocation started', {
        requestId: invocation.requestId,
      })
    }
    let environment = this.#idle.pop()
    let initDurationMs: number | undefined
    if (environment === undefined) {
      const started = await this.#coldStart(invocation)
      if (started === null) return
      environment = started
      initDurationMs = environment.initDurationMs
    }
    this.#busy++
    const start = performance.now()
    if (this.#settings.log !== null || invocation.tail !== null) {
      this.#writeLog(invocation, 'start', startLine(invocation.requestId))
    }
    const outcome = await environment.invoke(invocation)
    const durationMs = performance.now() - start
    this.#busy--
    this.#settle(invocation, outcome, durationMs, environment, initDurationMs)
  }

  /** Starts an environment for this invocation; on an init failure, answers it and returns null. */
  async #coldStart(invocation: Invocation): Promise<Environment | null> {
    await this.#waitForDyingThreads()
    this.#stats.coldStarts++
    const environment = this.#startEnvironment()
    // Its first `next` is this invocation's, not the queue's.
    environment.reserved = true
    try {
      await environment.ready()
      return environment
    } catch (error) {
      const shape = error as ErrorShape
      if (this.#aborted) {
        invocation.reject(new LambdaError(shape, { requestId: invocation.requestId }))
        return null
      }
      this.#stats.invocations++
      this.#stats.errors++
      this.#writeLog(invocation, 'platform', `INIT_REPORT Init Duration: ${environment.initDurationMs.toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: ${shape.errorType}`)
      invocation.resolve(this.#functionError(invocation, shape))
      return null
    }
  }

  #startEnvironment(): Environment {
    const environment = new Environment({
      pool: this.#pool,
      config: this.#runtime,
      timeoutMs: this.#config.timeoutMs,
      initTimeoutMs: this.#config.initTimeoutMs,
      idleTimeoutMs: this.#config.idleTimeoutMs,
      events: this.#events,
    })
    this.#environments.add(environment)
    return environment
  }

  #prewarm(): void {
    const environment = this.#startEnvironment()
    environment.ready().catch((error: ErrorShape) => {
      this.#emit({
        kind: 'platform',
        functionName: this.name,
        requestId: null,
        time: Date.now(),
        line: `INIT_REPORT Phase: init\tStatus: error\tError Type: ${error.errorType}\t${error.errorMessage}`,
      })
    })
  }

  #settle(
    invocation: Invocation,
    outcome: Outcome,
    durationMs: number,
    environment: Environment,
    initDurationMs: number | undefined,
  ): void {
    const stats = this.#stats
    stats.invocations++
    observe(stats.duration, durationMs)
    let status: Report['status']
    let result: RawInvokeResult | LambdaError
    switch (outcome.kind) {
      case 'response':
        result = { requestId: invocation.requestId, payload: outcome.body, functionError: false, executedVersion: '$LATEST' }
        break
      case 'error':
        if (outcome.invalidEvent) {
          result = serviceError(ErrorType.InvalidRequestContent, `Could not parse request body into json: ${outcome.error.errorMessage}`, { requestId: invocation.requestId })
          break
        }
        stats.errors++
        status = 'error'
        result = this.#functionError(invocation, outcome.error)
        break
      case 'timeout':
        stats.errors++
        stats.timeouts++
        status = 'timeout'
        result = this.#functionError(invocation, outcome.error)
        break
      case 'crash':
        stats.errors++
        status = 'error'
        result = this.#functionError(invocation, outcome.error)
        break
      case 'aborted':
        status = 'error'
        result = new LambdaError(outcome.error, { requestId: invocation.requestId })
        break
    }
    if (this.#settings.log !== null || invocation.tail !== null) {
      this.#writeLog(invocation, 'end', endLine(invocation.requestId))
      const report: Report = {
        durationMs,
        billedDurationMs: Math.max(1, Math.ceil(durationMs)),
        memorySizeMb: this.#config.memoryMb,
        maxMemoryUsedMb: Math.max(1, Math.round(environment.maxHeapBytes / MB)),
      }
      if (initDurationMs !== undefined) report.initDurationMs = initDurationMs
      if (status !== undefined) report.status = status
      this.#writeLog(invocation, 'report', reportLine(invocation.requestId, report), report)
    }
    if (result instanceof Error) {
      invocation.reject(result)
      return
    }
    if (invocation.tail !== null) result.logResult = tailOf(invocation.tail)
    invocation.resolve(result)
  }

  #functionError(invocation: Invocation, error: ErrorShape): RawInvokeResult {
    const result: RawInvokeResult = {
      requestId: invocation.requestId,
      payload: JSON.stringify({ errorType: error.errorType, errorMessage: error.errorMessage, trace: error.trace }),
      functionError: true,
      errorType: error.errorType,
      executedVersion: '$LATEST',
    }
    if (invocation.tail !== null) result.logResult = tailOf(invocation.tail)
    return result
  }

  #onIdle(environment: Environment): void {
    if (environment.reserved) environment.reserved = false
    else this.#idle.push(environment)
  }

  #onDead(environment: Environment): void {
    this.#environments.delete(environment)
    const at = this.#idle.lastIndexOf(environment)
    if (at !== -1) this.#idle.splice(at, 1)
    if (environment.dying) this.#dying++
    // Replace a pre-warmed environment that was lost, but never one that failed
    // its init: that would start threads in a loop until the code is fixed.
    if (!this.#closing && environment.initialized && this.#environments.size < this.#config.minWarm) {
      this.#prewarm()
    }
  }

  #onExited(): void {
    this.#dying--
    const waiters = this.#dyingWaiters
    this.#dyingWaiters = []
    for (const wake of waiters) wake()
  }

  #onLog(environment: Environment, message: LogMessage): void {
    const log = this.#settings.log
    const current = environment.currentInvocation
    const tail = current !== null && current.requestId === message.requestId ? current.tail : null
    if (log === null && tail === null) return
    const line = functionLine(message.time, message.requestId, message.level, message.message)
    tail?.push(line)
    log?.({
      kind: 'function',
      functionName: this.name,
      requestId: message.requestId,
      time: message.time,
      level: message.level,
      message: message.message,
      line,
    })
  }

  #writeLog(invocation: Invocation, kind: 'start' | 'end' | 'platform', line: string): void
  #writeLog(invocation: Invocation, kind: 'report', line: string, report: Report): void
  #writeLog(invocation: Invocation, kind: LogEntry['kind'], line: string, report?: Report): void {
    invocation.tail?.push(line)
    const log = this.#settings.log
    if (log === null) return
    const base = { functionName: this.name, requestId: invocation.requestId, time: Date.now(), line }
    log(kind === 'report' ? { ...base, kind, report: report! } : ({ ...base, kind } as LogEntry))
  }

  #emit(entry: LogEntry): void {
    this.#settings.log?.(entry)
  }

  /** Threads still exiting count against the limit, so a stuck one cannot make threads pile up. */
  async #waitForDyingThreads(): Promise<void> {
    while (this.#environments.size + this.#dying >= this.#config.maxConcurrency * 2) {
      await new Promise<void>((resolve) => this.#dyingWaiters.push(resolve))
    }
  }

  /**
   * Threads terminated while blocked in a native call exit when it returns;
   * wait for them, but not forever: `close()` must end.
   */
  async #waitForThreadsToExit(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs
    while (this.#dying > 0 && performance.now() < deadline) {
      let timer: NodeJS.Timeout | undefined
      await new Promise<void>((resolve) => {
        this.#dyingWaiters.push(resolve)
        timer = setTimeout(resolve, deadline - performance.now())
      })
      clearTimeout(timer)
    }
  }

  #environmentVariables(settings: ServiceSettings): Record<string, string> {
    const { config } = settings
    const inherited: Record<string, string> = {}
    for (const key of ['PATH', 'LANG', 'TZ', 'HOME', 'TMPDIR', 'NODE_OPTIONS']) {
      const value = process.env[key]
      if (value !== undefined) inherited[key] = value
    }
    return {
      ...inherited,
      AWS_REGION: settings.region,
      AWS_DEFAULT_REGION: settings.region,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
      AWS_LAMBDA_FUNCTION_NAME: config.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${config.name}`,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      LAMBDA_TASK_ROOT: settings.config.spec.candidates[0]?.replace(/\/[^/]*$/, '') ?? process.cwd(),
      ...config.env,
    }
  }
}

function tailOf(lines: string[]): string {
  const text = lines.join('\n') + '\n'
  const bytes = Buffer.from(text)
  return bytes.length <= TAIL_LOG_BYTES ? text : bytes.subarray(bytes.length - TAIL_LOG_BYTES).toString()
}
