import { ErrorType, type LambdaError, serviceError } from '@lambdalet/protocol'
import PQueue from 'p-queue'
import type { Invocation } from './invocation.js'

export interface DispatcherSettings {
  maxConcurrency: number
  maxQueue: number
  /** The host-wide limit, shared by every function's dispatcher, when the host has one. */
  gate: PQueue | null
}

/**
 * Admission for one function: invocations run at most `maxConcurrency` at
 * once (and within the host-wide limit), up to `maxQueue` more wait in a
 * p-queue, and the rest are throttled at once.
 */
export class Dispatcher {
  #settings: DispatcherSettings
  #queue: PQueue
  /** Answered, not yet settled invocations whose slot the next one runs in (see `handOver`). */
  #handedOver = new Set<Invocation>()
  #closing = false
  #throttles = 0

  constructor(settings: DispatcherSettings) {
    this.#settings = settings
    this.#queue = new PQueue({ concurrency: settings.maxConcurrency })
  }

  /**
   * Why a new invocation is refused now, if it is: the host is closing, or
   * the queue is full. `counted`: a throttle its caller sees (the event
   * queue's own retries are not).
   */
  refusal(counted: boolean): LambdaError | null {
    if (this.#closing) return serviceError(ErrorType.ServiceUnavailable, 'The host is shutting down')
    const queue = this.#queue
    if (queue.pending >= this.#settings.maxConcurrency && queue.size >= this.#settings.maxQueue) {
      if (counted) this.#throttles++
      return serviceError(ErrorType.TooManyRequests, 'Rate Exceeded.', {
        reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
      })
    }
    return null
  }

  /** Runs `task` when there is room; the promise settles when the task has. */
  dispatch(task: () => Promise<void>): Promise<void> {
    const gate = this.#settings.gate
    return this.#queue.add(gate === null ? task : () => gate.add(task))
  }

  /**
   * `invocation` has its answer and gave its environment back, while others
   * wait: the next one starts now, in this same turn, so its event is posted
   * before the answer is settled. p-queue would start it only once the task
   * has returned, after the settling and the caller's continuation, with the
   * environment idle meanwhile. Running ≤ maxConcurrency still holds (the
   * answered one holds no environment); `settled` gives the slot back.
   * Raising p-queue's `concurrency` is what starts the next task at once.
   */
  handOver(invocation: Invocation): void {
    if (this.#queue.size === 0) return
    this.#handedOver.add(invocation)
    this.#queue.concurrency = this.#settings.maxConcurrency + this.#handedOver.size
  }

  settled(invocation: Invocation): void {
    if (!this.#handedOver.delete(invocation)) return
    this.#queue.concurrency = this.#settings.maxConcurrency + this.#handedOver.size
  }

  /** Invocations that would start now without waiting (see `Invoker.room`). */
  get room(): number {
    if (this.#closing) return 0
    const queue = this.#queue
    const own = this.#settings.maxConcurrency - queue.pending - queue.size
    const gate = this.#settings.gate
    const shared = gate === null ? own : gate.concurrency - gate.pending - gate.size
    return Math.max(0, Math.min(own, shared))
  }

  get throttles(): number {
    return this.#throttles
  }

  get queue(): { waiting: number; running: number } {
    return { waiting: this.#queue.size, running: this.#queue.pending }
  }

  /** Refuses new invocations from now on. */
  close(): void {
    this.#closing = true
  }

  /** Resolves when nothing runs or waits. */
  idle(): Promise<void> {
    return this.#queue.onIdle()
  }
}
