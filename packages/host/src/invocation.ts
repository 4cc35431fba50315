import type { ErrorShape, InvokeOptions, RawInvokeResult } from '@lambdalet/protocol'

/** What came of running one event in an environment. */
export type Outcome =
  | { kind: 'response'; body: string }
  | { kind: 'error'; error: ErrorShape; invalidEvent: boolean }
  | { kind: 'timeout'; error: ErrorShape }
  | { kind: 'crash'; error: ErrorShape }
  /** Ended by the host itself (a forced close): a service error, not the function's. */
  | { kind: 'aborted'; error: ErrorShape }
  /** The environment crashed (with `error`) before its runtime took the event: run it elsewhere. */
  | { kind: 'undelivered'; error: ErrorShape }

/** One accepted invocation, from the caller's call to its answer. */
export interface Invocation {
  readonly requestId: string
  readonly payload: string
  readonly options: InvokeOptions
  /** The invocation's log lines, kept only when the caller asked for `Tail`. */
  readonly tail: string[] | null
  /**
   * Set when, on getting its answer, this invocation lent its queue slot to
   * the next queued one; the slot is given back once it has settled.
   */
  lentSlot: boolean
  /** Times its environment crashed before taking it; it is re-run once, not forever. */
  undelivered: number
  resolve(result: RawInvokeResult): void
  reject(error: Error): void
}
