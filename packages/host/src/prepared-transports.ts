import type { ErrorShape, InvokeMessage } from '@lambdalet/protocol'
import type { Transport, TransportEvents, TransportFactory } from './transport.js'

/**
 * Transports that run `prepare` (a TypeScript build) before each start. A
 * failed preparation is the environment's init error, reported the way a
 * runtime reports one, without a thread ever starting.
 */
export function preparedTransports(
  inner: TransportFactory,
  prepare: () => Promise<ErrorShape | null>,
): TransportFactory {
  return {
    start: (events) => new PreparedTransport(inner, prepare, events),
    close: () => inner.close(),
  }
}

class PreparedTransport implements Transport {
  #inner: Transport | null = null
  #destroyed = false

  constructor(inner: TransportFactory, prepare: () => Promise<ErrorShape | null>, events: TransportEvents) {
    prepare().then(
      (error) => this.#prepared(inner, events, error),
      (error: unknown) =>
        this.#prepared(inner, events, {
          errorType: 'Runtime.Unknown',
          errorMessage: `Preparing the function's code failed: ${String(error)}`,
          trace: [],
        }),
    )
  }

  send(message: InvokeMessage): void {
    // Only ever after the runtime asked, so the inner transport exists.
    this.#inner?.send(message)
  }

  destroy(): boolean {
    this.#destroyed = true
    return this.#inner?.destroy() ?? false
  }

  #prepared(inner: TransportFactory, events: TransportEvents, error: ErrorShape | null): void {
    if (this.#destroyed) return
    if (error === null) {
      this.#inner = inner.start(events)
      return
    }
    events.started()
    events.message({ type: 'init-error', error, initDurationMs: 0 })
  }
}
