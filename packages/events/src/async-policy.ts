import { EVENT_AGE_SECONDS_RANGE, type EventInvokeConfig, RETRY_ATTEMPTS_RANGE } from '@lambdalet/protocol'

/** Everything that decides what happens to one function's events. */
export interface AsyncPolicy {
  maximumRetryAttempts: number
  maximumEventAgeMs: number
  onSuccess: string | undefined
  onFailure: string | undefined
  /** The waits before the first and the second retry after a function error. */
  retryDelaysMs: readonly [number, number]
  /** Throttles and service errors back off from `initial`, doubling, to at most `max`. */
  throttleBackoffMs: { initial: number; max: number }
}

export const DEFAULT_RETRY_DELAYS_MS: readonly [number, number] = [60_000, 120_000]
export const DEFAULT_THROTTLE_BACKOFF_MS = { initial: 1_000, max: 300_000 } as const

export function resolvePolicy(
  config: EventInvokeConfig,
  timing: Pick<AsyncPolicy, 'retryDelaysMs' | 'throttleBackoffMs'>,
): AsyncPolicy {
  return {
    maximumRetryAttempts: config.maximumRetryAttempts ?? RETRY_ATTEMPTS_RANGE.default,
    maximumEventAgeMs: (config.maximumEventAgeInSeconds ?? EVENT_AGE_SECONDS_RANGE.default) * 1000,
    onSuccess: config.destinations?.onSuccess,
    onFailure: config.destinations?.onFailure,
    ...timing,
  }
}
