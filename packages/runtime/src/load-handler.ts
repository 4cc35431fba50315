import { existsSync } from 'node:fs'
import { basename } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { RuntimeConfig } from '@lambdalet/protocol'
import { HandlerNotFound, ImportModuleError, UserCodeSyntaxError } from './runtime-errors.js'

export type Handler = (event: unknown, context: unknown, callback?: unknown) => unknown

/**
 * Loads the user module and finds its handler, the way the Lambda Node.js
 * runtime does: `import()` serves ESM and CommonJS alike (Node picks by
 * extension and the nearest package.json `type`), top-level await counts as
 * init, and failures become `Runtime.*` errors with Lambda's names.
 */
export async function loadHandler(config: RuntimeConfig): Promise<Handler> {
  const modulePath = config.moduleCandidates.find((candidate) => existsSync(candidate))
  if (modulePath === undefined) {
    const name = basename(config.moduleCandidates[0] ?? config.handlerName)
    throw new ImportModuleError(`Error: Cannot find module '${name}'\nTried: ${config.moduleCandidates.join(', ')}`)
  }
  let module: Record<string, unknown>
  try {
    module = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>
  } catch (error) {
    if (error instanceof SyntaxError) throw syntaxError(error)
    const code = (error as { code?: unknown } | null)?.code
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new ImportModuleError(`Error: ${(error as Error).message}`, { cause: error })
    }
    // Anything else thrown at load time keeps its own type, as in Lambda.
    throw error
  }
  const handler = lookup(module, config.exportName)
  if (typeof handler !== 'function') {
    throw new HandlerNotFound(`${config.handlerName} is undefined or not exported`)
  }
  return handler as Handler
}

/**
 * The caller's view of a module that does not parse. Node's stack for it
 * starts with the offending source line, and its message may quote a token
 * of it: a handler pointed at a file that is not JavaScript (a `.env`, a
 * key) would send a line of it back to whoever invoked the function. So the
 * trace keeps the location and the frames, and the message drops the quote.
 */
function syntaxError(error: SyntaxError): Error {
  const message = `${error.name}: ${error.message.replace(/\s+'[^']*'$/, '')}`
  const lines = (error.stack ?? '').split('\n')
  const location = /^(?:file:\/\/)?\/\S+:\d+$/.test(lines[0] ?? '') ? [`    at ${lines[0]}`] : []
  const frames = lines.filter((line) => line.startsWith('    at '))
  const wrapped = new UserCodeSyntaxError(message)
  wrapped.stack = [`Runtime.UserCodeSyntaxError: ${message}`, ...location, ...frames].join('\n')
  return wrapped
}

function lookup(module: Record<string, unknown>, path: string): unknown {
  const found = walk(module, path)
  // A CommonJS module whose exports Node could not detect statically is only
  // reachable through `default`.
  return found === undefined ? walk(module.default, path) : found
}

function walk(root: unknown, path: string): unknown {
  let current = root
  for (const key of path.split('.')) {
    if (current === null || (typeof current !== 'object' && typeof current !== 'function')) return undefined
    current = (current as Record<string, unknown>)[key]
  }
  return current
}
