import { existsSync, statSync } from 'node:fs'
import { basename, dirname, extname, resolve } from 'node:path'
import type { FunctionOptions } from '@lambdalet/host'
import { hostFunctionOptions } from '../config/function-definition.js'
import { loadProject } from '../config/load-project.js'
import { UsageError } from '../usage-error.js'
import type { BenchOptions } from './bench-options.js'

export interface BenchTarget {
  name: string
  /** The host's options for it, without routes; the bench sets concurrency itself. */
  options: FunctionOptions
  region?: string
  accountId?: string
}

const MODULE = /\.(?:mjs|cjs|js|ts|mts|cts)$/

/**
 * `fn.mjs` (or `path/to/fn.mjs#export`) is a handler file, benchmarked as
 * the function `fn`; anything else is a function name looked up in the
 * folder (or `--config`) the way `serve` and `invoke` find it.
 */
export async function resolveTarget(options: BenchOptions): Promise<BenchTarget> {
  const [file, exportName] = options.target.split('#') as [string, string | undefined]
  const path = resolve(file)
  const target = isFile(path)
    ? fromFile(path, exportName, options)
    : MODULE.test(file)
      ? missingFile(file)
      : await fromProject(options)
  if (options.memoryMb !== undefined) target.options.memoryMb = options.memoryMb
  if (options.timeoutMs !== undefined) target.options.timeoutMs = options.timeoutMs
  return target
}

function fromFile(path: string, exportName: string | undefined, options: BenchOptions): BenchTarget {
  if (options.dir !== undefined || options.config !== undefined) {
    throw new UsageError('a handler file needs no folder or --config; give a function name to use them')
  }
  const name =
    basename(path, extname(path))
      .replace(/[^A-Za-z0-9_-]/g, '-')
      .slice(0, 64) || 'handler'
  const handler = exportName === undefined ? basename(path) : `${basename(path)}#${exportName}`
  return { name, options: { handler, codeDir: dirname(path) } }
}

function missingFile(file: string): never {
  throw new UsageError(`cannot find the handler file ${JSON.stringify(file)}`)
}

async function fromProject(options: BenchOptions): Promise<BenchTarget> {
  const project = await loadProject({
    ...(options.dir === undefined ? {} : { dir: options.dir }),
    ...(options.config === undefined ? {} : { configFile: options.config }),
  })
  const definition = project.functions[options.target]
  if (definition === undefined) {
    const known = Object.keys(project.functions).sort().join(', ')
    throw new UsageError(`no function named ${JSON.stringify(options.target)} (found: ${known})`)
  }
  const { maxConcurrency: _max, minWarm: _warm, ...fn } = hostFunctionOptions(definition)
  return {
    name: options.target,
    options: fn,
    ...(project.region === undefined ? {} : { region: project.region }),
    ...(project.accountId === undefined ? {} : { accountId: project.accountId }),
  }
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile()
}
