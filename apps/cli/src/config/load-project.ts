import { accessSync, constants, existsSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { storeKind } from '@lambdalet/events'
import { parseHandler } from '@lambdalet/protocol'
import { ConfigError, keyPath } from './config-error.js'
import { discoverFunctions } from './discover-functions.js'
import type { FunctionDefinition, Project } from './function-definition.js'
import { readConfigFile } from './read-config-file.js'

function isDirectory(spec: string): boolean {
  const kind = storeKind(spec)
  return kind.ok && kind.kind === 'embedded'
}

import type { ConfigFile } from './validate-config.js'

export const CONFIG_FILE_NAME = 'lambdalet.json'

export interface LoadProjectOptions {
  /** A folder of function files; its `lambdalet.json`, if any, is the config. */
  dir?: string
  /** A config file; replaces the folder's `lambdalet.json`. */
  configFile?: string
  /** Base for relative paths; default `process.cwd()`. */
  cwd?: string
}

export interface LoadedProject extends Project {
  /** Things worth telling the user that do not stop the start (a skipped file). */
  warnings: string[]
  /** Where events are kept unless `store` says otherwise: `.lambdalet/` in the served folder. */
  defaultStore: string
}

/**
 * Turns a functions folder and/or a config file into the functions to run.
 * With neither, the current folder is the functions folder. Throws a
 * `ConfigError` listing every problem.
 */
export async function loadProject(options: LoadProjectOptions = {}): Promise<LoadedProject> {
  const cwd = options.cwd ?? process.cwd()
  // With only a config file there is no folder to search.
  const dir =
    options.dir === undefined && options.configFile !== undefined ? undefined : resolve(cwd, options.dir ?? '.')
  const discovered = dir === undefined ? { functions: {}, warnings: [] } : await discoverFunctions(dir)

  let configPath = options.configFile === undefined ? undefined : resolve(cwd, options.configFile)
  if (configPath === undefined && dir !== undefined && existsSync(join(dir, CONFIG_FILE_NAME))) {
    configPath = join(dir, CONFIG_FILE_NAME)
  }
  const project: LoadedProject = {
    functions: { ...discovered.functions },
    warnings: [...discovered.warnings],
    defaultStore: join(dir ?? dirname(configPath as string), '.lambdalet'),
  }
  if (configPath !== undefined) {
    const shown = showPath(configPath, cwd)
    const config = await readConfigFile(configPath, shown)
    applyConfig(project, config, dirname(configPath), shown)
  }
  if (Object.keys(project.functions).length === 0) {
    const where = showPath(dir ?? configPath ?? cwd, cwd)
    throw new ConfigError([
      `${where}: no functions found (expected *.mjs, *.cjs, *.js or *.ts files exporting \`handler\`)`,
    ])
  }
  return project
}

function applyConfig(project: LoadedProject, config: ConfigFile, configDir: string, shown: string): void {
  const issues: string[] = []
  for (const [name, entry] of Object.entries(config.functions)) {
    const found = project.functions[name]
    const at = keyPath('functions', name)
    const { routes, handler, codeDir, ...settings } = entry
    if (handler === undefined && found === undefined) {
      issues.push(
        `${shown}: ${at}.handler: expected a handler such as "file.mjs", got nothing (and no ${name}.mjs, .cjs, .js or .ts in the folder)`,
      )
      continue
    }
    const merged: FunctionDefinition = {
      ...found,
      ...settings,
      handler: handler ?? (found as FunctionDefinition).handler,
      // A handler named in the config is relative to the config file, or to its codeDir.
      codeDir: codeDir !== undefined ? resolve(configDir, codeDir) : handler !== undefined ? configDir : found?.codeDir,
      routes: routes ?? found?.routes ?? [],
    }
    const problem = handlerProblem(merged)
    if (problem !== null) {
      issues.push(`${shown}: ${at}.handler: ${problem}`)
      continue
    }
    const missing = executableProblem(merged)
    if (missing !== null) {
      issues.push(`${shown}: ${at}.${merged.command === undefined ? 'codeDir' : 'command'}: ${missing}`)
      continue
    }
    project.functions[name] = merged
  }
  for (const [name, entry] of Object.entries(config.functions)) {
    for (const [key, target] of Object.entries(entry.destinations ?? {})) {
      const queue = target.startsWith('queue:') ? target.slice('queue:'.length) : undefined
      const exists =
        queue === undefined ? project.functions[target] !== undefined : Object.hasOwn(config.queues ?? {}, queue)
      if (!exists) {
        issues.push(
          `${shown}: ${keyPath(keyPath(keyPath('functions', name), 'destinations'), key)}: expected a function served here${queue === undefined ? '' : ' or queue:<name> of a queue in "queues"'}, got ${JSON.stringify(target)}`,
        )
      }
    }
  }
  if (issues.length > 0) throw new ConfigError(issues)
  for (const key of [
    'maxConcurrency',
    'region',
    'accountId',
    'drainTimeoutMs',
    'retryDelaysMs',
    'throttleBackoffMs',
    'leaseMs',
    'inheritEnv',
  ] as const) {
    if (config[key] !== undefined) Object.assign(project, { [key]: config[key] })
  }
  if (config.queues !== undefined) project.queues = config.queues
  // A relative store directory is the config file's, as its handlers are.
  if (config.store !== undefined)
    project.store = isDirectory(config.store) ? resolve(configDir, config.store) : config.store
}

/** `null` when one of the handler's candidate files exists, else what is wrong. */
function handlerProblem(fn: FunctionDefinition): string | null {
  if (fn.runtime === 'process') return null
  let candidates: string[]
  try {
    candidates = parseHandler(fn.handler, fn.codeDir as string).candidates
  } catch {
    return `expected "file.mjs", "file.mjs#export" or "module.export", got ${JSON.stringify(fn.handler)}`
  }
  if (candidates.some((file) => existsSync(file))) return null
  return `expected an existing file, got ${JSON.stringify(fn.handler)} (no ${candidates.join(' or ')})`
}

/**
 * `null` when a process function's executable is there to run, else what is
 * wrong: its `command[0]` (a path is relative to `codeDir`; a bare name is
 * looked up on PATH when it starts) or the `bootstrap` in `codeDir`.
 */
function executableProblem(fn: FunctionDefinition): string | null {
  if (fn.runtime !== 'process') return null
  const file = fn.command?.[0] ?? 'bootstrap'
  if (fn.command !== undefined && !file.includes('/')) return null
  const path = resolve(fn.codeDir as string, file)
  try {
    accessSync(path, constants.X_OK)
    return null
  } catch {
    const what = fn.command === undefined ? 'a `bootstrap` executable in the code directory' : 'an executable file'
    return `expected ${what}, got nothing runnable at ${path}`
  }
}

/** Relative to the current folder when inside it, else absolute. */
export function showPath(path: string, cwd: string): string {
  const shown = relative(cwd, path)
  return shown === '' ? '.' : shown.startsWith('..') || isAbsolute(shown) ? path : shown
}
