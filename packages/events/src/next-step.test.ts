import { describe, expect, it } from 'vitest'
import { resolvePolicy } from './async-policy.js'
import type { QueuedEvent } from './event-store.js'
import { expiredBeforeRun, nextStep } from './next-step.js'

const policy = resolvePolicy(
  { maximumEventAgeInSeconds: 600 },
  {
    retryDelaysMs: [60_000, 120_000],
    throttleBackoffMs: { initial: 1_000, max: 300_000 },
  },
)
const event = (overrides: Partial<QueuedEvent> = {}): QueuedEvent => ({
  id: 'r',
  functionName: 'f',
  payload: '{}',
  acceptedAt: 0,
  invokeCount: 0,
  throttles: 0,
  receiveCount: 1,
  firstReceivedAt: 0,
  ...overrides,
})

describe('nextStep', () => {
  it('waits 1 and then 2 minutes between function-error retries, then gives up', () => {
    expect(nextStep(event(), { kind: 'function-error' }, policy, 10)).toEqual({
      action: 'retry',
      runAt: 60_010,
      invokeCount: 1,
      throttles: 0,
      cause: 'function-error',
    })
    expect(nextStep(event({ invokeCount: 1 }), { kind: 'function-error' }, policy, 70_000)).toMatchObject({
      action: 'retry',
      runAt: 190_000,
      invokeCount: 2,
    })
    expect(nextStep(event({ invokeCount: 2 }), { kind: 'function-error' }, policy, 200_000)).toEqual({
      action: 'drop',
      condition: 'RetriesExhausted',
      invokeCount: 3,
    })
  })

  it('backs throttles off from 1 s, doubling, to at most 5 minutes, without counting an invocation', () => {
    const delays = [0, 1, 2, 8, 9, 20].map((throttles) => {
      const step = nextStep(event({ throttles, acceptedAt: 0 }), { kind: 'throttle' }, resolvePolicy({}, policy), 0)
      return step.action === 'retry' ? [step.runAt, step.invokeCount] : step
    })
    expect(delays).toEqual([
      [1_000, 0],
      [2_000, 0],
      [4_000, 0],
      [256_000, 0],
      [300_000, 0],
      [300_000, 0],
    ])
  })

  it('drops a throttled event whose next try would fall past its maximum age', () => {
    expect(nextStep(event({ throttles: 9 }), { kind: 'throttle' }, policy, 400_000)).toEqual({
      action: 'drop',
      condition: 'EventAgeExceeded',
      invokeCount: 0,
    })
  })

  it('drops an event older than its maximum age before running it', () => {
    expect(expiredBeforeRun(event(), policy, 600_000)).toBeNull()
    expect(expiredBeforeRun(event({ invokeCount: 1 }), policy, 600_001)).toEqual({
      action: 'drop',
      condition: 'EventAgeExceeded',
      invokeCount: 1,
    })
  })
})
