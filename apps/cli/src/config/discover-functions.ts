import type { Dirent } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { ConfigError, errorCode } from './config-error.js'
import { defaultRoutes, type FunctionDefinition, isFunctionName } from './function-definition.js'

const MODULE_EXTENSIONS = new Set(['.mjs', '.cjs', '.js', '.ts', '.mts', '.cts'])
/** TypeScript declarations (`types.d.ts`) describe modules; they are not any. */
const DECLARATION = /\.d\.[cm]?ts$/

export interface Discovered {
  functions: Record<string, FunctionDefinition>
  warnings: string[]
}

/**
 * Every `*.mjs`, `*.cjs`, `*.js`, `*.ts`, `*.mts` and `*.cts` file (but a
 * `.d.ts`) directly in `dir` is a function
 * named after the file, exporting `handler`, served at `ANY /{name}` and
 * below. Subfolders are not searched: they hold the functions' own modules.
 */
export async function discoverFunctions(dir: string): Promise<Discovered> {
  let entries: Dirent[]
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (error) {
    throw new ConfigError([`${dir}: cannot read the functions folder (${errorCode(error)})`])
  }
  const functions: Record<string, FunctionDefinition> = {}
  const files = new Map<string, string>()
  const warnings: string[] = []
  const issues: string[] = []
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const extension = extname(entry.name)
    if (!MODULE_EXTENSIONS.has(extension) || DECLARATION.test(entry.name)) continue
    // A symlink counts when it points at a file.
    if (!entry.isFile() && !(entry.isSymbolicLink() && (await isFile(join(dir, entry.name))))) continue
    const name = entry.name.slice(0, -extension.length)
    if (!isFunctionName(name)) {
      warnings.push(`skipping ${JSON.stringify(entry.name)}: a function name is 1 to 64 letters, digits, "-" or "_"`)
      continue
    }
    const previous = files.get(name)
    if (previous !== undefined) {
      issues.push(`${dir}: both ${previous} and ${entry.name} would be the function "${name}"; rename one`)
      continue
    }
    files.set(name, entry.name)
    functions[name] = { handler: entry.name, codeDir: dir, routes: defaultRoutes(name) }
  }
  if (issues.length > 0) throw new ConfigError(issues)
  return { functions, warnings }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}
