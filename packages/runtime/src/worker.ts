import { isMainThread, type MessagePort, workerData } from 'node:worker_threads'
import type { RuntimeConfig } from '@lambdalet/protocol'
import { runLoop } from './runtime-loop.js'

/** What the host hands a new environment's thread, as `workerData.lambdaletEnvironment`. */
export interface EnvironmentTask {
  port: MessagePort
  config: RuntimeConfig
}

/**
 * The runtime loop of one execution environment, until the host terminates
 * the thread. Also the default export, for a worker pool that calls its
 * worker file's export with a task.
 */
export default function environment(task: EnvironmentTask): Promise<never> {
  return runLoop(task.port, task.config)
}

// The worker file of every environment: started as a thread's entry, it runs
// the loop on the port the host transferred to it.
const task = isMainThread
  ? undefined
  : (workerData as { lambdaletEnvironment?: EnvironmentTask } | null)?.lambdaletEnvironment
if (task !== undefined) void environment(task)
