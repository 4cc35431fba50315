import type { QueueSettings } from '@lambdalet/events'
import type { PayloadFormatVersion } from '@lambdalet/gateway'
import type { FunctionOptions } from '@lambdalet/host'
import type { EventInvokeConfig } from '@lambdalet/protocol'
import type { EventSourceEntry } from './event-sources.js'

/** A function as `serve` and `invoke` run it: the host's options, how HTTP reaches it, its asynchronous settings. */
export interface FunctionDefinition extends FunctionOptions, EventInvokeConfig {
  /** API Gateway route keys: `GET /hello`, `ANY /users/{id}`, `$default`; none by default (the Invoke API only). */
  routes?: string[]
  /** The event its routes send: `2.0` (default) or REST-API-style `1.0`. */
  payloadFormatVersion?: PayloadFormatVersion
  /** What invokes it besides callers: schedules, SQS queues. */
  events?: EventSourceEntry[]
}

/** The part of a definition the host runs: what the gateway and the event queue need stays behind. */
export function hostFunctionOptions(definition: FunctionDefinition): FunctionOptions {
  const {
    routes: _routes,
    payloadFormatVersion: _format,
    maximumRetryAttempts: _retries,
    maximumEventAgeInSeconds: _age,
    destinations: _destinations,
    events: _events,
    ...options
  } = definition
  return options
}

/** The part of a definition the event queue applies: its event-invoke-config. */
export function asyncConfig(definition: FunctionDefinition): EventInvokeConfig {
  const { maximumRetryAttempts, maximumEventAgeInSeconds, destinations } = definition
  return {
    ...(maximumRetryAttempts === undefined ? {} : { maximumRetryAttempts }),
    ...(maximumEventAgeInSeconds === undefined ? {} : { maximumEventAgeInSeconds }),
    ...(destinations === undefined ? {} : { destinations }),
  }
}

/** Everything a config file or a functions folder describes. */
export interface Project {
  functions: Record<string, FunctionDefinition>
  maxConcurrency?: number
  /** The host's bound on threads and on cold starts at once (`createHost`'s options). */
  maxThreads?: number
  maxColdStarts?: number
  /** Where the API key is kept (absolute). */
  apiKeyFile?: string
  region?: string
  accountId?: string
  drainTimeoutMs?: number
  store?: string
  retryDelaysMs?: [number, number]
  throttleBackoffMs?: { initial: number; max: number }
  leaseMs?: number
  /** SQS-style queues; a function's `events` can map one to it. */
  queues?: Record<string, QueueSettings>
  /** Names of the server's environment variables every function gets. */
  inheritEnv?: string[]
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
