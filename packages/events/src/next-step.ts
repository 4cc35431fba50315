import type { AsyncPolicy } from './async-policy.js'
import type { QueuedEvent } from './event-store.js'

/** How one run of an event ended, as far as Lambda's async rules care. */
export type RunOutcome =
  | { kind: 'success' }
  | { kind: 'function-error' }
  /** The function was at its limit, or the service failed or was stopping: not the function's fault. */
  | { kind: 'throttle' }
  /** The function is no longer served. */
  | { kind: 'not-found' }

export type DropCondition = 'RetriesExhausted' | 'EventAgeExceeded' | 'ResourceNotFound'

export type Step =
  | { action: 'succeed'; invokeCount: number }
  | { action: 'retry'; runAt: number; invokeCount: number; throttles: number; cause: 'function-error' | 'throttle' }
  | { action: 'drop'; condition: DropCondition; invokeCount: number }

/** Before a run: an event past its maximum age is not run again. */
export function expiredBeforeRun(event: QueuedEvent, policy: AsyncPolicy, now: number): Step | null {
  return now - event.acceptedAt > policy.maximumEventAgeMs
    ? { action: 'drop', condition: 'EventAgeExceeded', invokeCount: event.invokeCount }
    : null
}

/**
 * After a run: Lambda's asynchronous rules as one pure step. Function
 * errors use up retry attempts and wait `retryDelaysMs`; throttles and
 * service errors do not, and back off exponentially; neither schedules a
 * retry that would fall past the event's maximum age.
 */
export function nextStep(event: QueuedEvent, outcome: RunOutcome, policy: AsyncPolicy, now: number): Step {
  const expiresAt = event.acceptedAt + policy.maximumEventAgeMs
  switch (outcome.kind) {
    case 'success':
      return { action: 'succeed', invokeCount: event.invokeCount + 1 }
    case 'not-found':
      return { action: 'drop', condition: 'ResourceNotFound', invokeCount: event.invokeCount }
    case 'function-error': {
      const invokeCount = event.invokeCount + 1
      const retriesUsed = invokeCount - 1
      if (retriesUsed >= policy.maximumRetryAttempts)
        return { action: 'drop', condition: 'RetriesExhausted', invokeCount }
      const delay = policy.retryDelaysMs[Math.min(retriesUsed, policy.retryDelaysMs.length - 1)] as number
      if (now + delay > expiresAt) return { action: 'drop', condition: 'EventAgeExceeded', invokeCount }
      return { action: 'retry', runAt: now + delay, invokeCount, throttles: 0, cause: 'function-error' }
    }
    case 'throttle': {
      const throttles = event.throttles + 1
      const { initial, max } = policy.throttleBackoffMs
      const delay = Math.min(initial * 2 ** Math.min(throttles - 1, 30), max)
      if (now + delay > expiresAt)
        return { action: 'drop', condition: 'EventAgeExceeded', invokeCount: event.invokeCount }
      return { action: 'retry', runAt: now + delay, invokeCount: event.invokeCount, throttles, cause: 'throttle' }
    }
  }
}
