import type { Report } from '@lambdalet/host'

/** A level runs for a while or for a number of invocations. */
export type Plan = { durationMs: number } | { requests: number }

/** What one warm level measured, before it is summarised. */
export interface LevelRun {
  invocations: number
  errorsByType: Record<string, number>
  /** Client-side latency of every answered invocation, in ms. */
  latencies: number[]
  elapsedMs: number
  reports: Report[]
}

/** One fresh environment's first invocation. */
export interface ColdSample {
  latencyMs: number
  errorType: string | null
  report: Report | undefined
}

/** Read by the progress bar while a level runs. */
export interface LevelProgress {
  /** Set by the driver when measuring starts, after the warm-up. */
  measuringSince: number | null
  completed: number
}

/** Sends the events in turn, wrapping around. */
export function eventCycle(events: readonly string[]): () => string {
  let next = 0
  return () => {
    const event = events[next] as string
    next = (next + 1) % events.length
    return event
  }
}

export function countError(errorsByType: Record<string, number>, errorType: string): void {
  errorsByType[errorType] = (errorsByType[errorType] ?? 0) + 1
}

export class InitError extends Error {
  override readonly name = 'InitError'
}
