import { ErrorType, type Invoker, isLambdaError, type RawInvokeResult } from '@lambdalet/protocol'
import type { AsyncPolicy } from './async-policy.js'
import type { EventStore, Lease } from './event-store.js'
import { expiredBeforeRun, nextStep, type RunOutcome, type Step } from './next-step.js'
import { RoomSignal } from './room-signal.js'
import { delay, settledWithin } from './waits.js'

/** What the consumer reports back to the queue for each finished step. */
export interface StepReport {
  lease: Lease
  step: Step
  /** The run's answer, when the function ran. */
  result: RawInvokeResult | undefined
  /** Why a run that did not answer failed (a throttle, a service error). */
  error: unknown
}

export interface ConsumerDeps {
  functionName: string
  store: EventStore
  invoker: Invoker
  policy(): AsyncPolicy
  /** Applies a step to the store (ack, retry, drop with destinations) and counts it. */
  apply(report: StepReport): Promise<void>
  /** A store failure in the loop itself, worth a log line. */
  onError(error: unknown): void
  /** Events run at once when the invoker cannot say how much room there is. */
  fallbackConcurrency: number
  leaseMs: number
}

/** How often a consumer looks again at a function that had no room. */
const ROOM_POLL_MS = 25
/** How long one claim waits for an event; an abort ends it sooner. */
const CLAIM_WAIT_MS = 5_000
const STORE_ERROR_BACKOFF_MS = 1_000

/**
 * One function's pull loop over the store: it takes events only while the
 * function has room (the pull model, as an environment asks for its next
 * event), runs each through the invoker, and hands the outcome to the
 * queue's rules.
 */
export class FunctionConsumer {
  readonly #deps: ConsumerDeps
  readonly #abort = new AbortController()
  readonly #running = new Set<Promise<void>>()
  readonly #roomChanged = new RoomSignal(ROOM_POLL_MS)
  readonly #loop: Promise<void>

  constructor(deps: ConsumerDeps) {
    this.#deps = deps
    this.#loop = this.#run()
  }

  get inFlight(): number {
    return this.#running.size
  }

  /** Stops taking events; resolves once the runs in flight are over, or `false` after `timeoutMs`. */
  async stop(timeoutMs: number): Promise<boolean> {
    this.#abort.abort()
    this.#roomChanged.notify()
    await this.#loop
    if (this.#running.size === 0) return true
    return settledWithin(this.#running, timeoutMs)
  }

  async #run(): Promise<void> {
    const { signal } = this.#abort
    const { functionName, store } = this.#deps
    while (!signal.aborted) {
      const room = this.#room()
      if (room <= 0) {
        await this.#roomChanged.wait()
        continue
      }
      let leases: Lease[]
      try {
        leases = await store.claim(functionName, room, { leaseMs: this.#deps.leaseMs, waitMs: CLAIM_WAIT_MS, signal })
      } catch (error) {
        if (signal.aborted) break
        this.#deps.onError(error)
        await delay(STORE_ERROR_BACKOFF_MS, signal)
        continue
      }
      for (const lease of leases) this.#start(lease)
    }
  }

  #room(): number {
    const { invoker, functionName, fallbackConcurrency } = this.#deps
    if (invoker.room === undefined) return fallbackConcurrency - this.#running.size
    return invoker.room(functionName)
  }

  #start(lease: Lease): void {
    const run = this.#runOne(lease).finally(() => {
      this.#running.delete(run)
      this.#roomChanged.notify()
    })
    this.#running.add(run)
  }

  async #runOne(lease: Lease): Promise<void> {
    const { invoker, store, functionName, leaseMs } = this.#deps
    const policy = this.#deps.policy()
    const { event } = lease
    const expired = expiredBeforeRun(event, policy, Date.now())
    if (expired !== null) return this.#apply({ lease, step: expired, result: undefined, error: undefined })

    // A store shared by processes gives the event to another one when the
    // lease runs out, so a long invocation keeps renewing it.
    const renewal = setInterval(() => {
      store.renew(lease, leaseMs).catch((error: unknown) => this.#deps.onError(error))
    }, leaseMs / 2)
    renewal.unref()
    let outcome: RunOutcome
    let result: RawInvokeResult | undefined
    let error: unknown
    try {
      result = await invoker.invokeRaw(functionName, event.payload, { requestId: event.id, invocationType: 'Event' })
      outcome = { kind: result.functionError ? 'function-error' : 'success' }
    } catch (thrown) {
      error = thrown
      outcome = {
        kind: isLambdaError(thrown) && thrown.errorType === ErrorType.ResourceNotFound ? 'not-found' : 'throttle',
      }
    } finally {
      clearInterval(renewal)
      // The environment is free now: the next event is claimed while this
      // one's outcome is being written, and both writes share a commit.
      this.#roomChanged.notify()
    }
    const step = nextStep(event, outcome, this.#deps.policy(), Date.now())
    return this.#apply({ lease, step, result, error })
  }

  async #apply(report: StepReport): Promise<void> {
    try {
      await this.#deps.apply(report)
    } catch (error) {
      // Not acked: the event stays in the store and runs again (at least once).
      this.#deps.onError(error)
    }
  }
}
