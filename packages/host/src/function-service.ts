import { randomUUID } from 'node:crypto'
import { relative } from 'node:path'
import { performance } from 'node:perf_hooks'
import {
  type ErrorShape,
  ErrorType,
  type FunctionStats,
  functionArn,
  type InvokeOptions,
  LATEST_VERSION,
  logGroupName,
  type RawInvokeResult,
  type RuntimeConfig,
  type StreamingInvokeResult,
} from '@lambdalet/protocol'
import type PQueue from 'p-queue'
import { Dispatcher } from './dispatcher.js'
import { createHistogram, observe } from './duration-histogram.js'
import type { Environment } from './environment.js'
import { FunctionCode } from './function-code.js'
import { Invocation } from './invocation.js'
import { InvocationLog } from './invocation-log.js'
import { type EnvironmentSource, lambdaEnvironment } from './lambda-environment.js'
import type { LineWriter } from './line-writer.js'
import { type HostLogLevel, initReportLine, type LogEntry, timeoutLine } from './log-entry.js'
import type { FunctionConfig } from './options.js'
import { type Outcome, settlement } from './outcome.js'
import { Pool } from './pool.js'
import { preparedTransports } from './prepared-transports.js'
import { processEnvironment } from './process-environment.js'
import { childProcesses } from './process-transport.js'
import { StreamingResponse } from './streaming-response.js'
import type { ThreadBudget } from './thread-budget.js'
import type { TransportFactory } from './transport.js'
import { workerThreads } from './worker-transport.js'

export interface ServiceSettings {
  config: FunctionConfig
  workerFile: string
  /** What every function's `process.env` is built from besides its own settings. */
  environment: EnvironmentSource
  region: string
  accountId: string
  /** Host-wide concurrency gate, when the host has a limit. */
  gate: PQueue | null
  /** The host-wide bound on threads and cold starts. */
  budget: ThreadBudget
  /** A sink for every entry, or a writer for the lines only (stdout). */
  log: ((entry: LogEntry) => void) | LineWriter | null
  logLevel: HostLogLevel
}

/** How long the handler ran, and what the REPORT line says about its environment. */
interface Run {
  /** The runtime's figure when it answered, else (a timeout, a crash) the host's. */
  durationMs: number
  /** From posting the event to reading the answer, on the host's thread. */
  hostDurationMs: number
  maxHeapBytes: number
  initDurationMs: number | undefined
}

/**
 * The Lambda service for one function: it admits an invocation (the
 * dispatcher), finds it an environment (the pool), runs it there, and
 * settles it from its outcome (the pure `settlement` step), counting and
 * logging on the way.
 */
export class FunctionService {
  readonly name: string
  #dispatcher: Dispatcher
  #pool: Pool
  #log: InvocationLog
  #code: FunctionCode
  #codeRoot: string
  #lastBuildError: ErrorShape | null = null
  #counts = { invocations: 0, errors: 0, timeouts: 0, duration: createHistogram() }
  #maxStreamBytes: number

  constructor(settings: ServiceSettings) {
    const { config } = settings
    this.name = config.name
    this.#codeRoot = config.codeRoot
    this.#maxStreamBytes = config.maxStreamBytes
    this.#log = new InvocationLog(config.name, config.memoryMb, settings.log, settings.logLevel)
    this.#dispatcher = new Dispatcher({
      maxConcurrency: config.maxConcurrency,
      maxQueue: config.maxQueue,
      gate: settings.gate,
    })
    const code = new FunctionCode(config)
    this.#code = code
    const runtime: RuntimeConfig = {
      functionName: config.name,
      invokedFunctionArn: functionArn(settings.region, settings.accountId, config.name),
      functionVersion: LATEST_VERSION,
      moduleCandidates: code.moduleCandidates,
      sourceMaps: code.typescript,
      exportName: config.spec.exportName,
      handlerName: config.handler,
      memoryLimitInMB: config.memoryMb,
      logGroupName: logGroupName(config.name),
      logStreamName: `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[${LATEST_VERSION}]${randomUUID().replaceAll('-', '')}`,
      logFormat: config.logFormat,
      logLevel: config.logLevel,
      logBudgetBytes: config.logBudgetBytes,
    }
    this.#pool = new Pool({
      transports: this.#transports(settings, runtime),
      budget: settings.budget,
      maxConcurrency: config.maxConcurrency,
      minWarm: config.minWarm,
      timeoutMs: config.timeoutMs,
      initTimeoutMs: config.initTimeoutMs,
      idleTimeoutMs: config.idleTimeoutMs,
      answered: (invocation) => this.#dispatcher.handOver(invocation),
      log: (message, current) => this.#log.function(message, current),
      prewarmFailed: (error) => this.#log.platform(null, initReportLine(error.errorType, error)),
    })
  }

  /** The one place that knows which kind of environment the function runs in. */
  #transports(settings: ServiceSettings, runtime: RuntimeConfig): TransportFactory {
    const { config } = settings
    if (config.runtime.kind === 'process') {
      return childProcesses({
        command: config.runtime.command,
        cwd: config.codeRoot,
        env: processEnvironment(config, settings.environment, runtime.logStreamName),
        invokedFunctionArn: runtime.invokedFunctionArn,
        memoryMb: config.memoryMb,
      })
    }
    const threads = workerThreads({
      workerFile: settings.workerFile,
      config: runtime,
      env: lambdaEnvironment(config, settings.environment),
      memoryMb: config.memoryMb,
    })
    // Plain JavaScript starts with nothing to prepare, not even an await.
    return this.#code.typescript ? preparedTransports(threads, () => this.#prepare()) : threads
  }

  invoke(payload: string, options: InvokeOptions): Promise<RawInvokeResult> {
    const refusal = this.#dispatcher.refusal(options.invocationType !== 'Event')
    if (refusal !== null) return Promise.reject(refusal)
    return new Promise<RawInvokeResult>((resolve, reject) => {
      this.#run(new Invocation(options.requestId ?? randomUUID(), payload, options, resolve, reject))
    })
  }

  /** Resolves when the response begins: a streaming handler's first bytes, or any other's result. */
  invokeStream(payload: string, options: InvokeOptions): Promise<StreamingInvokeResult> {
    const refusal = this.#dispatcher.refusal(options.invocationType !== 'Event')
    if (refusal !== null) return Promise.reject(refusal)
    return new Promise<StreamingInvokeResult>((resolve, reject) => {
      const requestId = options.requestId ?? randomUUID()
      const response = new StreamingResponse(requestId, this.#maxStreamBytes, resolve, reject)
      const settled = (result: RawInvokeResult) => response.settled(result)
      const failed = (error: Error) => response.failed(error)
      this.#run(new Invocation(requestId, payload, options, settled, failed, response))
    })
  }

  #run(invocation: Invocation): void {
    // #execute settles every outcome; this only catches a bug in the host,
    // so that the caller still hears back.
    this.#dispatcher
      .dispatch(() => this.#execute(invocation))
      .catch((error: unknown) => {
        invocation.settle(error instanceof Error ? error : new Error(String(error)))
      })
  }

  stats(): FunctionStats {
    const counts = this.#counts
    return {
      invocations: counts.invocations,
      errors: counts.errors,
      throttles: this.#dispatcher.throttles,
      timeouts: counts.timeouts,
      coldStarts: this.#pool.coldStarts,
      duration: { ...counts.duration, counts: [...counts.duration.counts] },
      environments: this.#pool.counts(),
      queue: this.#dispatcher.queue,
    }
  }

  /** Whether a change to `file` can change what this function runs (see `FunctionCode.touches`). */
  touches(file: string): boolean {
    return this.#code.touches(file)
  }

  /** `paths` changed its code: the next invocation is a cold start on the new code. */
  recycle(paths: readonly string[]): void {
    const shown = paths.slice(0, 3).map((path) => relative(this.#codeRoot, path) || '.')
    if (paths.length > 3) shown.push(`${paths.length - 3} more`)
    this.#log.platform(null, `Code changed (${shown.join(', ')}): new environments from the next invocation on`)
    // Built now rather than at the next cold start, so a broken edit shows
    // at once; the environments started meanwhile share this build.
    if (this.#code.typescript) void this.#prepare()
    this.#pool.retire()
  }

  /**
   * Prepares the code for a cold start (see `FunctionCode.prepare`). A failed
   * build is logged once, whoever waited for it: the caller gets the error,
   * the server's log says what it was.
   */
  async #prepare(): Promise<ErrorShape | null> {
    const error = await this.#code.prepare()
    if (error !== null && error !== this.#lastBuildError) {
      this.#log.platform(null, `${error.errorType}: ${error.errorMessage}`)
    }
    this.#lastBuildError = error
    return error
  }

  /** The function's code root, which a watcher watches. */
  get codeRoot(): string {
    return this.#codeRoot
  }

  /** Invocations that would start now without waiting (see `Invoker.room`). */
  get room(): number {
    return this.#dispatcher.room
  }

  get threads(): number {
    return this.#pool.threads
  }

  get busy(): number {
    return this.#pool.busy
  }

  /**
   * Stops taking invocations, lets accepted ones finish for up to
   * `drainTimeoutMs`, then fails what is left, and terminates every thread.
   */
  async close(drainTimeoutMs: number): Promise<void> {
    this.#dispatcher.close()
    this.#pool.close()
    let timer: NodeJS.Timeout | undefined
    const drained = await Promise.race([
      this.#dispatcher.idle().then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), drainTimeoutMs)
      }),
    ])
    clearTimeout(timer)
    if (!drained) {
      // Running invocations fail as their environments are destroyed; queued
      // ones start, find the pool aborted and fail at once.
      this.#pool.abort()
      await this.#dispatcher.idle()
    }
    await this.#pool.shutdown(drainTimeoutMs)
  }

  async #execute(invocation: Invocation): Promise<void> {
    let redelivered = false
    for (;;) {
      let environment: Environment | undefined = this.#pool.takeWarm()
      let initDurationMs: number | undefined
      if (environment === undefined) {
        const acquired = await this.#pool.acquire()
        if (acquired.kind === 'init-failed') {
          this.#log.platform(invocation, initReportLine(acquired.error.errorType, acquired))
          return this.#finish(invocation, { kind: 'init-failed', error: acquired.error }, null)
        }
        if (acquired.kind === 'closed') {
          const error = acquired.error ?? notStarted
          return this.#finish(invocation, { kind: 'not-started', error }, null)
        }
        environment = acquired.environment
        initDurationMs = acquired.initDurationMs
      }
      const start = performance.now()
      if (!redelivered) this.#log.start(invocation)
      const outcome = await environment.invoke(invocation)
      const hostDurationMs = performance.now() - start
      const run: Run = {
        durationMs: 'durationMs' in outcome ? outcome.durationMs : hostDurationMs,
        hostDurationMs,
        maxHeapBytes: environment.maxHeapBytes,
        initDurationMs,
      }
      if (outcome.kind !== 'undelivered') return this.#finish(invocation, outcome, run)
      // Its environment crashed before the runtime took the event: the
      // handler never ran, so it runs on another environment — once. Code
      // whose every fresh environment crashes that way (a throwing timer at
      // load time) would otherwise start threads forever.
      if (redelivered) return this.#finish(invocation, { kind: 'crash', error: outcome.error }, run)
      redelivered = true
    }
  }

  /** Counts, logs and answers one outcome; `run` is null when no handler ran. */
  #finish(invocation: Invocation, outcome: Outcome, run: Run | null): void {
    try {
      const settled = settlement(outcome, invocation.requestId)
      const counts = this.#counts
      if (settled.counted) counts.invocations++
      if (settled.error) counts.errors++
      if (settled.timeout) counts.timeouts++
      let tail: string | undefined
      if (settled.report !== null && run !== null) {
        observe(counts.duration, run.durationMs)
        const failure = failureLine(invocation.requestId, outcome)
        if (failure !== null) this.#log.platform(invocation, failure)
        tail = this.#log.end(invocation, { ...run, status: settled.report.status })
      } else {
        tail = this.#log.tail(invocation)
      }
      const answer = settled.answer
      if (!(answer instanceof Error) && tail !== undefined) answer.logResult = tail
      invocation.settle(answer)
    } finally {
      this.#dispatcher.settled(invocation)
    }
  }
}

/**
 * The host's line about an invocation its runtime could not report itself:
 * Lambda's `Task timed out after …`, or how the runtime died. (A function
 * error and an uncaught exception the runtime logs, as Lambda's does.)
 */
function failureLine(requestId: string, outcome: Outcome): string | null {
  if (outcome.kind === 'timeout') return timeoutLine(Date.now(), requestId, outcome.error.errorMessage)
  if (
    outcome.kind === 'crash' &&
    (outcome.error.errorType === ErrorType.ExitError || outcome.error.errorType === ErrorType.OutOfMemory)
  ) {
    return `${outcome.error.errorMessage}\t${outcome.error.errorType}`
  }
  return null
}

const notStarted: ErrorShape = {
  errorType: ErrorType.ServiceUnavailable,
  errorMessage: 'The host shut down before the invocation started',
  trace: [],
}
