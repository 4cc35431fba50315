import { availableParallelism, totalmem } from 'node:os'
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION, MAX_STREAM_BYTES } from '@lambdalet/protocol'

/**
 * Every default of the host's options, in one place; Lambda's own where it
 * has one. The README's options table says the same.
 */
export const defaults = {
  timeoutMs: 3000,
  memoryMb: 128,
  maxQueue: 1000,
  idleTimeoutMs: 300_000,
  minWarm: 0,
  initTimeoutMs: 10_000,
  drainTimeoutMs: 10_000,
  logBudgetBytes: 8 * 1024 * 1024,
  logLevel: 'info',
  /** Quiet time after a change before watch mode recycles (an editor's save is several events). */
  watchDebounceMs: 150,
  maxStreamBytes: MAX_STREAM_BYTES,
  region: DEFAULT_REGION,
  accountId: DEFAULT_ACCOUNT_ID,
} as const

/**
 * The host's default bound on threads, every function together: 32 per core,
 * and no more than one per 64 MB of the machine's memory (an idle worker
 * thread holds about 10 MB, a busy one up to its heap limit), at least 4.
 */
export function defaultMaxThreads(): number {
  return Math.max(4, Math.min(availableParallelism() * 32, Math.floor(totalmem() / (64 * 1024 * 1024))))
}

/**
 * The host's default bound on cold starts in progress: one per core. A boot
 * and a module load are CPU work; more at once than cores only makes each
 * slower and takes the main thread's share.
 */
export function defaultMaxColdStarts(): number {
  return availableParallelism()
}

/** A function's default `maxConcurrency`: at least 10, more on a machine with more cores. */
export function defaultConcurrency(): number {
  return Math.max(10, availableParallelism())
}
