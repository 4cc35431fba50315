import type { MessagePort } from 'node:worker_threads'
import type { RuntimeConfig } from '@lambdalet/protocol'
import { runLoop } from './runtime-loop.js'

/** What the host passes as the Piscina task that becomes an environment. */
export interface EnvironmentTask {
  port: MessagePort
  config: RuntimeConfig
}

/**
 * Piscina's worker file. The task is not a unit of work but a whole
 * execution environment: it runs the runtime loop until the host terminates
 * the thread.
 */
export default function environment(task: EnvironmentTask): Promise<never> {
  return runLoop(task.port, task.config)
}
