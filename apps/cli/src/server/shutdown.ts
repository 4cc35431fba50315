export interface ShutdownHandlers {
  /** The first SIGTERM or SIGINT: stop gracefully. */
  stop(signal: NodeJS.Signals): Promise<void>
  /** A second signal while stopping: the user wants out now. */
  force(signal: NodeJS.Signals): void
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT']

/** Installs the handlers; returns a function that removes them. */
export function handleShutdownSignals(handlers: ShutdownHandlers): () => void {
  let stopping = false
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return handlers.force(signal)
    stopping = true
    void handlers.stop(signal)
  }
  for (const signal of SIGNALS) process.on(signal, onSignal)
  return () => {
    for (const signal of SIGNALS) process.off(signal, onSignal)
  }
}
