import type { FunctionDescription } from '@lambdalet/gateway'
import type { FunctionDefinition } from '../config/function-definition.js'

/**
 * What ListFunctions and GetFunction report. The timeout and memory
 * defaults are the host's (Lambda's own: 3 s, 128 MB); the host applies
 * them itself and does not expose its resolved settings. Environment
 * variables go by name only.
 */
export function describeFunctions(functions: Record<string, FunctionDefinition>): Record<string, FunctionDescription> {
  const descriptions: Record<string, FunctionDescription> = {}
  for (const [name, fn] of Object.entries(functions)) {
    const description: FunctionDescription = {
      handler: fn.handler,
      timeoutMs: fn.timeoutMs ?? 3000,
      memoryMb: fn.memoryMb ?? 128,
      environmentKeys: Object.keys(fn.env ?? {}),
    }
    if (fn.maxConcurrency !== undefined) description.maxConcurrency = fn.maxConcurrency
    // A process runs whatever runtime client it is given, as a custom runtime does.
    if (fn.runtime === 'process') description.runtime = 'provided.al2023'
    descriptions[name] = description
  }
  return descriptions
}
