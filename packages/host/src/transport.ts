import type { ErrorShape, HostMessage, RuntimeMessage, StartedMessage } from '@lambdalet/protocol'

/**
 * What carries the runtime protocol between one environment and the runtime
 * it runs: a worker thread and its MessagePort today, a child process
 * speaking the HTTP Runtime API later. A transport moves messages and reports
 * the life of whatever runs the runtime; what the messages mean (states,
 * deadlines, outcomes) is the environment's business, never the transport's.
 */
export interface Transport {
  /**
   * Hands the runtime one event (it only ever gets one after asking,
   * `next`), or a stream's credit or cancel while it runs one.
   */
  send(message: HostMessage): void
  /**
   * Ends it now, without waiting: a thread blocked in a native call can take
   * seconds to go. Returns true when something is still exiting, in which
   * case `exited` follows once it is gone.
   */
  destroy(): boolean
  /**
   * The messages that have arrived but not been delivered yet, taken now
   * (the host's thread may be behind). A transport that delivers each
   * message as it arrives leaves this out.
   */
  drain?(): Array<Exclude<RuntimeMessage, StartedMessage>>
}

/** What a transport tells the environment on top of it. */
export interface TransportEvents {
  /** The runtime is running (a thread or process exists); the environment starts initialising. */
  started(): void
  /** Every runtime protocol message but the worker-only `started`. */
  message(message: Exclude<RuntimeMessage, StartedMessage>): void
  /**
   * It ended by itself, not through `destroy()`: `process.exit()`, an error
   * the runtime could not catch, the heap limit. `errorMessage` reads
   * `Error: Runtime exited with error: …`, as Lambda's does.
   */
  ended(error: ErrorShape): void
  /** After a `destroy()` that returned true: it is gone. */
  exited(): void
}

/** Starts the transports of one function, all of one kind. */
export interface TransportFactory {
  start(events: TransportEvents): Transport
  /** Releases what the factory holds; the pool destroys every transport first. */
  close(): Promise<void>
}
