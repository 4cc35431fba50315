import { randomUUID } from 'node:crypto'
import { type FunctionScope, functionArn } from './function-scope.js'

/**
 * What the gateway may tell about a function, given by whoever created the
 * host (the gateway only sees an `Invoker`). Every field is optional: what is
 * not given is left out of the answer rather than guessed.
 */
export interface FunctionDescription {
  /** As configured: `hello.mjs`, `src/app.mjs#main`, `index.handler`. */
  handler?: string
  timeoutMs?: number
  memoryMb?: number
  /**
   * Names of the function's environment variables. Only names: values
   * never reach the gateway, so no caller can read a secret through it.
   */
  environmentKeys?: readonly string[]
  /** The function's own concurrency limit, reported as reserved concurrency. */
  maxConcurrency?: number
  /** Lambda's `Runtime`; default this Node's `nodejsNN.x` (a function on worker threads). */
  runtime?: string
}

/** Shown in place of every environment variable's value. */
export const HIDDEN_VALUE = '(hidden by lambdalet)'

/** The fields of Lambda's `FunctionConfiguration` that mean something here. */
export interface FunctionConfiguration {
  FunctionName: string
  FunctionArn: string
  Runtime: string
  Handler?: string
  CodeSize: number
  Description: string
  Timeout?: number
  MemorySize?: number
  LastModified: string
  Version: '$LATEST'
  Environment?: { Variables: Record<string, string> }
  TracingConfig: { Mode: 'PassThrough' }
  RevisionId: string
  State: 'Active'
  LastUpdateStatus: 'Successful'
  PackageType: 'Zip'
  Architectures: ['x86_64' | 'arm64']
  EphemeralStorage: { Size: number }
  SnapStart: { ApplyOn: 'None'; OptimizationStatus: 'Off' }
  LoggingConfig: { LogGroup: string }
}

/** Lambda's description of `name`, from what `descriptions` says about it. */
export function createConfiguration(
  name: string,
  descriptions: Readonly<Record<string, FunctionDescription>>,
  scope: FunctionScope,
  startedAt: number,
): FunctionConfiguration {
  const description = Object.hasOwn(descriptions, name) ? descriptions[name] : undefined
  const configuration: FunctionConfiguration = {
    FunctionName: name,
    FunctionArn: functionArn(scope, name),
    // The functions run in this process, on this Node, in worker threads.
    Runtime: `nodejs${process.versions.node.split('.')[0]}.x`,
    CodeSize: 0,
    Description: '',
    LastModified: new Date(startedAt).toISOString().replace('Z', '+0000'),
    Version: '$LATEST',
    TracingConfig: { Mode: 'PassThrough' },
    // Nothing changes a function while the server runs: one revision per start.
    RevisionId: randomUUID(),
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: [process.arch === 'arm64' ? 'arm64' : 'x86_64'],
    EphemeralStorage: { Size: 512 },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { LogGroup: `/aws/lambda/${name}` },
  }
  if (description === undefined) return configuration
  if (description.runtime !== undefined) configuration.Runtime = description.runtime
  if (description.handler !== undefined) configuration.Handler = description.handler
  // Lambda's Timeout is whole seconds; a sub-second timeout still reads as one.
  if (description.timeoutMs !== undefined) configuration.Timeout = Math.ceil(description.timeoutMs / 1000)
  if (description.memoryMb !== undefined) configuration.MemorySize = description.memoryMb
  const keys = description.environmentKeys ?? []
  if (keys.length > 0) {
    configuration.Environment = { Variables: Object.fromEntries(keys.map((key) => [key, HIDDEN_VALUE])) }
  }
  return configuration
}

/** Checks `descriptions` as `createGateway` receives them; throws a TypeError naming the key. */
export function validateDescriptions(
  descriptions: unknown,
  hasFunction: (name: string) => boolean,
): asserts descriptions is Record<string, FunctionDescription> {
  if (typeof descriptions !== 'object' || descriptions === null || Array.isArray(descriptions)) {
    throw new TypeError(
      `Expected \`functions\` to be an object of function name → description, got ${show(descriptions)}`,
    )
  }
  for (const [name, description] of Object.entries(descriptions as Record<string, unknown>)) {
    const at = `functions.${name}`
    if (!hasFunction(name))
      throw new TypeError(`Expected \`functions\` to name known functions, got ${JSON.stringify(name)}`)
    if (typeof description !== 'object' || description === null) {
      throw new TypeError(`Expected \`${at}\` to be an object, got ${show(description)}`)
    }
    const { handler, timeoutMs, memoryMb, environmentKeys, maxConcurrency } = description as Record<string, unknown>
    if (handler !== undefined && typeof handler !== 'string') {
      throw new TypeError(`Expected \`${at}.handler\` to be a string, got ${show(handler)}`)
    }
    for (const [key, value] of [
      ['timeoutMs', timeoutMs],
      ['memoryMb', memoryMb],
      ['maxConcurrency', maxConcurrency],
    ] as const) {
      if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 1)) {
        throw new TypeError(`Expected \`${at}.${key}\` to be a positive integer, got ${show(value)}`)
      }
    }
    if (
      environmentKeys !== undefined &&
      (!Array.isArray(environmentKeys) || !environmentKeys.every((k) => typeof k === 'string'))
    ) {
      throw new TypeError(
        `Expected \`${at}.environmentKeys\` to be an array of variable names, got ${show(environmentKeys)}`,
      )
    }
  }
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value)
}
