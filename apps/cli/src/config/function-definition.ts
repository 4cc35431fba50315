import type { FunctionOptions } from '@lambdalet/host'
import type { EventInvokeConfig } from '@lambdalet/protocol'

/** A function as `serve` and `invoke` run it: the host's options, its HTTP routes and its asynchronous settings. */
export interface FunctionDefinition extends FunctionOptions, EventInvokeConfig {
  /** API Gateway route keys: `GET /hello`, `ANY /users/{id}`, `$default`. */
  routes: string[]
}

/** Everything a config file or a functions folder describes. */
export interface Project {
  functions: Record<string, FunctionDefinition>
  maxConcurrency?: number
  region?: string
  accountId?: string
  drainTimeoutMs?: number
  store?: string
  retryDelaysMs?: [number, number]
  throttleBackoffMs?: { initial: number; max: number }
  leaseMs?: number
}

/**
 * Lambda's own rule for function names, less `__proto__`, which as a key of
 * a plain object would replace its prototype instead of adding a function.
 */
export function isFunctionName(name: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(name) && name !== '__proto__'
}

/** The routes a function found in a folder gets: `ANY /{name}` and everything below it. */
export function defaultRoutes(name: string): string[] {
  return [`ANY /${name}`, `ANY /${name}/{proxy+}`]
}
