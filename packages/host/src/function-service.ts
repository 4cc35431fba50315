import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import PQueue from 'p-queue'
import { Piscina } from 'piscina'
import {
  ErrorType,
  LambdaError,
  serviceError,
  type ErrorShape,
  type FunctionStats,
  type InvokeOptions,
  type RawInvokeResult,
  type RuntimeConfig,
} from '@lambdalet/protocol'
import { createHistogram, observe } from './duration-histogram.js'
import { Environment, type EnvironmentEvents } from './environment.js'
import type { Invocation, Outcome } from './invocation.js'
import { InvocationLog } from './invocation-log.js'
import type { LogEntry, Report } from './log-entry.js'
import { lambdaEnvironment } from './lambda-environment.js'
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
  /** Invocations waiting for a thread to exit or an environment to free up. */
  #waiters: Array<() => void> = []
  /** Queue slots lent by answered, not yet settled invocations (see #onIdle). */
  #lent = 0
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
  #log: InvocationLog

  constructor(settings: ServiceSettings) {
    const { config } = settings
    this.#settings = settings
    this.#config = config
    this.name = config.name
    this.arn = `arn:aws:lambda:${settings.region}:${settings.accountId}:function:${config.name}`
    this.#queue = new PQueue({ concurrency: config.maxConcurrency })
    this.#log = new InvocationLog(config.name, config.memoryMb, settings.log)
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
      resourceLimits: { maxOldGenerationSizeMb: config.memoryMb },
      env: lambdaEnvironment(config, settings.region),
    })
    // A worker that dies with no task in it is reported here; environments
    // already learn about their own deaths through their tasks.
    this.#pool.on('error', () => {})
    this.#events = {
      idle: (environment, answered) => this.#onIdle(environment, answered),
      dead: (environment) => this.#onDead(environment),
      idleTimeout: (environment) => {
        if (this.#environments.size > this.#config.minWarm) environment.destroy()
      },
      exited: () => {
        this.#dying--
        this.#wake()
      },
      log: (environment, message) => this.#log.function(message, environment.currentInvocation),
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
        lentSlot: false,
        undelivered: 0,
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

  /** Invocations that would start now without waiting (see `Invoker.room`). */
  get room(): number {
    if (this.#closing) return 0
    const own = this.#config.maxConcurrency - this.#queue.pending - this.#queue.size
    const gate = this.#settings.gate
    const shared = gate === null ? own : gate.concurrency - gate.pending - gate.size
    return Math.max(0, Math.min(own, shared))
  }

  get threads(): number {
    return this.#environments.size + this.#dying
  }

  /** Invocations running in an environment now. */
  get busy(): number {
    let busy = 0
    for (const environment of this.#environments) if (environment.state === 'busy') busy++
    return busy
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
      this.#wake()
      await this.#queue.onIdle()
    }
    // Destroyed first, so the threads' ends read as intended, not as crashes.
    for (const environment of [...this.#environments]) environment.destroy()
    await this.#pool.destroy()
    await this.#waitForThreadsToExit(drainTimeoutMs)
  }

  async #execute(invocation: Invocation): Promise<void> {
    for (;;) {
      // A warm environment is taken synchronously: an await here would delay
      // posting the event by a few microtask turns on every invocation.
      let environment = this.#aborted ? undefined : this.#idle.pop()
      let initDurationMs: number | undefined
      if (environment === undefined) {
        const acquired = await this.#acquire(invocation)
        if (acquired === null) return
        environment = acquired.environment
        initDurationMs = acquired.initDurationMs
      }
      const start = performance.now()
      if (invocation.undelivered === 0) this.#log.start(invocation)
      let outcome = await environment.invoke(invocation)
      if (outcome.kind === 'undelivered') {
        // Its environment crashed before the runtime took the event: the
        // handler never ran, so it runs on another environment — once. Code
        // whose every fresh environment crashes that way (a throwing timer
        // at load time) would otherwise start threads forever.
        if (invocation.undelivered++ === 0) continue
        outcome = { kind: 'crash', error: outcome.error }
      }
      try {
        this.#settle(invocation, outcome, performance.now() - start, environment, initDurationMs)
      } finally {
        if (invocation.lentSlot) this.#lend(-1)
      }
      return
    }
  }

  /**
   * An environment for this invocation: a warm one if any is idle, else a
   * pre-warmed one still initialising, else a new one (a cold start). Threads
   * still exiting count against the limit, so a stuck one cannot make
   * threads pile up: then it waits for one to exit or for an environment to
   * free up. On an init failure, answers the invocation and returns null.
   */
  async #acquire(invocation: Invocation): Promise<{ environment: Environment; initDurationMs?: number } | null> {
    for (;;) {
      if (this.#aborted) {
        throw serviceError(ErrorType.ServiceUnavailable, 'The host shut down before the invocation started', {
          requestId: invocation.requestId,
        })
      }
      const idle = this.#idle.pop()
      if (idle !== undefined) return { environment: idle }
      let environment = this.#warming()
      if (environment === undefined && this.#roomForThread()) {
        environment = this.#startEnvironment()
      }
      if (environment !== undefined) {
        const started = await this.#coldStart(invocation, environment)
        return started === null ? null : { environment: started, initDurationMs: started.initDurationMs }
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve))
    }
  }

  /** Waits for `environment` to initialise for this invocation. */
  async #coldStart(invocation: Invocation, environment: Environment): Promise<Environment | null> {
    this.#stats.coldStarts++
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
      this.#log.platform(
        invocation,
        `INIT_REPORT Init Duration: ${environment.initDurationMs.toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: ${shape.errorType}`,
      )
      const result = this.#functionError(invocation, shape)
      const tail = this.#log.tail(invocation)
      if (tail !== undefined) result.logResult = tail
      invocation.resolve(result)
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
      // An invocation that took it over while it initialised reports it.
      if (this.#closing || environment.reserved) return
      this.#log.platform(
        null,
        `INIT_REPORT Phase: init\tStatus: error\tError Type: ${error.errorType}\t${error.errorMessage}`,
      )
    })
  }

  #settle(
    invocation: Invocation,
    outcome: Exclude<Outcome, { kind: 'undelivered' }>,
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
        result = {
          requestId: invocation.requestId,
          payload: outcome.body,
          functionError: false,
          executedVersion: '$LATEST',
        }
        break
      case 'error':
        if (outcome.invalidEvent) {
          result = serviceError(
            ErrorType.InvalidRequestContent,
            `Could not parse request body into json: ${outcome.error.errorMessage}`,
            { requestId: invocation.requestId },
          )
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
    const figures = { durationMs, maxHeapBytes: environment.maxHeapBytes, initDurationMs, status }
    const tail = this.#log.end(invocation, figures)
    if (result instanceof Error) {
      invocation.reject(result)
      return
    }
    if (tail !== undefined) result.logResult = tail
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
    return result
  }

  #onIdle(environment: Environment, answered: Invocation | null): void {
    if (environment.reserved) {
      environment.reserved = false
      return
    }
    this.#idle.push(environment)
    if (this.#waiters.length > 0) this.#wake()
    // The environment has answered and others are queued: start the next one
    // now, in this same turn, so the event is posted before the answer is
    // settled. p-queue would start it only after the settling and the
    // caller's continuation, with the worker idle meanwhile. The answered
    // invocation lends its slot (running ≤ maxConcurrency still holds: it no
    // longer holds an environment) and gives it back once settled.
    if (answered !== null && this.#queue.size > 0 && !this.#aborted) {
      answered.lentSlot = true
      this.#lend(+1)
    }
  }

  /** Lends (+1) or gives back (-1) one queue slot; raising concurrency starts the next task at once. */
  #lend(change: 1 | -1): void {
    this.#lent += change
    this.#queue.concurrency = this.#config.maxConcurrency + this.#lent
  }

  /**
   * Threads still exiting count against the limit (twice the function's
   * concurrency), so a thread stuck in a native call cannot make them pile up.
   */
  #roomForThread(): boolean {
    return this.#environments.size + this.#dying < this.#config.maxConcurrency * 2
  }

  /** A pre-warmed environment still initialising that no invocation waits for yet. */
  #warming(): Environment | undefined {
    for (const environment of this.#environments) {
      if (environment.state === 'starting' && !environment.reserved) return environment
    }
    return undefined
  }

  #onDead(environment: Environment): void {
    this.#environments.delete(environment)
    const at = this.#idle.lastIndexOf(environment)
    if (at !== -1) this.#idle.splice(at, 1)
    if (environment.dying) this.#dying++
    // Room for another thread now, unless this one is still exiting.
    else this.#wake()
    // Replace a pre-warmed environment lost in service, but never one that
    // died before it was handed an event (a failed init, a timer that throws
    // at load time): that would start threads in a loop until the code is fixed.
    if (environment.invocations > 0) void this.#replenish()
  }

  /** Keeps `minWarm` environments, within the same bound on threads as cold starts. */
  async #replenish(): Promise<void> {
    while (!this.#closing && this.#environments.size < this.#config.minWarm) {
      if (this.#roomForThread()) this.#prewarm()
      else await new Promise<void>((resolve) => this.#waiters.push(resolve))
    }
  }

  #wake(): void {
    const waiters = this.#waiters
    this.#waiters = []
    for (const wake of waiters) wake()
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
        this.#waiters.push(resolve)
        timer = setTimeout(resolve, deadline - performance.now())
      })
      clearTimeout(timer)
    }
  }
}
