import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, extname, join, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { type ErrorShape, ErrorType } from '@lambdalet/protocol'
import { type BuildFailure, type BuildResult, build, type Message, type Plugin } from 'esbuild'

const TYPESCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.cts'])

export function isTypeScript(file: string): boolean {
  return TYPESCRIPT_EXTENSIONS.has(extname(file))
}

/**
 * Where the bundle of `source` goes: under the code root's
 * `node_modules/.cache/lambdalet/`, so that the bare imports esbuild leaves
 * alone (`packages: 'external'`) resolve from there to the user's own
 * `node_modules`, as they would from the source.
 */
export function bundlePath(codeRoot: string, source: string): string {
  const hash = createHash('sha256').update(resolve(source)).digest('hex').slice(0, 10)
  const name = basename(source, extname(source))
  return join(
    codeRoot,
    'node_modules',
    '.cache',
    'lambdalet',
    `${name}-${hash}${source.endsWith('.cts') ? '.cjs' : '.mjs'}`,
  )
}

// ESM output has no `require`: esbuild's shim for a `require()` left in the
// source (an external CommonJS package) uses this one.
const ESM_BANNER =
  "import { createRequire as __lambdaletRequire } from 'node:module'; const require = __lambdaletRequire(import.meta.url);"

const LOADERS = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
} as const
const PLACE = {
  'import.meta.url': '__lambdalet_import_meta_url',
  __dirname: '__lambdalet_dirname',
  __filename: '__lambdalet_filename',
}

/**
 * The bundle lives in `node_modules/.cache/lambdalet/`, but each of the
 * user's files should still see where it is: `import.meta.url`, `__dirname`
 * and `__filename` name the source file, as they do under tsx or on Lambda,
 * so a handler reading `new URL('./data.json', import.meta.url)` finds it.
 * Each file declares its own values at the start of its first line, so no
 * line moves (an error on line 1 has its column corrected, see
 * `buildError`); esbuild keeps every module's top-level names apart.
 * Returns the plugin and the length of what it put before each file.
 */
function sourcePlaces(): { plugin: Plugin; prefixes: Map<string, number> } {
  const prefixes = new Map<string, number>()
  const plugin: Plugin = {
    name: 'lambdalet-source-places',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async ({ path }) => {
        const loader = LOADERS[extname(path) as keyof typeof LOADERS]
        if (loader === undefined) return undefined
        const places =
          `const ${PLACE['import.meta.url']} = ${JSON.stringify(pathToFileURL(path).href)}, ` +
          `${PLACE.__dirname} = ${JSON.stringify(dirname(path))}, ${PLACE.__filename} = ${JSON.stringify(path)};`
        prefixes.set(path, places.length)
        return { contents: places + (await readFile(path, 'utf8')), loader }
      })
    },
  }
  return { plugin, prefixes }
}

/**
 * A TypeScript handler compiled in the host by esbuild: one bundle of the
 * user's own files (their packages stay imports), written where the runtime
 * imports it, with a linked source map so stack traces name the `.ts` lines.
 * It is rebuilt only when it is stale: marked so (by the watcher) or one of
 * its input files changed since the last build. Types are not checked, as
 * with tsx; tsconfig `paths` are honoured (esbuild reads the tsconfig that
 * applies to each file).
 */
export class TypeScriptBundle {
  readonly source: string
  readonly outfile: string
  #codeRoot: string
  /** Input files of the last good build and their modification times. */
  #inputs = new Map<string, number>()
  #stale = true
  #building: Promise<ErrorShape | null> | null = null

  constructor(codeRoot: string, source: string) {
    this.#codeRoot = codeRoot
    this.source = source
    this.outfile = bundlePath(codeRoot, source)
  }

  /** The files the last build read (absolute paths); empty before the first. */
  get inputs(): ReadonlySet<string> {
    return new Set(this.#inputs.keys())
  }

  markStale(): void {
    this.#stale = true
  }

  /**
   * Makes the bundle current, building it if needed; resolves with the
   * error a failed build means to the function (`Runtime.UserCodeSyntaxError`,
   * `Runtime.ImportModuleError`), or null. Callers at the same time share one build.
   */
  current(): Promise<ErrorShape | null> {
    this.#building ??= this.#refresh().finally(() => {
      this.#building = null
    })
    return this.#building
  }

  async #refresh(): Promise<ErrorShape | null> {
    if (!this.#stale && !(await this.#inputsChanged())) return null
    // Cleared before building: a change during the build marks it stale again.
    this.#stale = false
    const result = await this.#build()
    if (result !== null) this.#stale = true
    return result
  }

  async #inputsChanged(): Promise<boolean> {
    const checks = [...this.#inputs].map(async ([file, mtimeMs]) => (await modified(file)) !== mtimeMs)
    return (await Promise.all(checks)).includes(true)
  }

  async #build(): Promise<ErrorShape | null> {
    const cjs = this.outfile.endsWith('.cjs')
    // The options are spread together, which loses the literal types that type the result.
    let output: BuildResult<{ metafile: true; write: false }>
    const places = sourcePlaces()
    try {
      output = (await build({
        entryPoints: [this.source],
        absWorkingDir: this.#codeRoot,
        outfile: this.outfile,
        bundle: true,
        packages: 'external',
        platform: 'node',
        target: `node${process.versions.node.split('.')[0]}`,
        format: cjs ? 'cjs' : 'esm',
        ...(cjs ? {} : { banner: { js: ESM_BANNER } }),
        sourcemap: 'linked',
        define: PLACE,
        plugins: [places.plugin],
        metafile: true,
        write: false,
        logLevel: 'silent',
      })) as BuildResult<{ metafile: true; write: false }>
    } catch (error) {
      return buildError(error, this.#codeRoot, places.prefixes)
    }
    const inputs = new Map<string, number>()
    await Promise.all(
      Object.keys(output.metafile.inputs).map(async (input) => {
        const file = resolve(this.#codeRoot, input)
        inputs.set(file, await modified(file))
      }),
    )
    await mkdir(dirname(this.outfile), { recursive: true })
    // The map first, then the module, each renamed into place: a worker
    // starting meanwhile imports the old bundle or the new one, never half of one.
    const files = [...output.outputFiles].sort(
      (a, b) => Number(b.path.endsWith('.map')) - Number(a.path.endsWith('.map')),
    )
    for (const file of files) {
      const temporary = `${file.path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
      await writeFile(temporary, file.contents)
      await rename(temporary, file.path)
    }
    this.#inputs = inputs
    return null
  }
}

async function modified(file: string): Promise<number> {
  try {
    return (await stat(file)).mtimeMs
  } catch {
    return -1
  }
}

/**
 * esbuild's failures are not `SyntaxError`s: a file that does not parse is
 * Lambda's `Runtime.UserCodeSyntaxError`, an import that does not resolve
 * its `Runtime.ImportModuleError`. The message names the file, line and
 * column and esbuild's text, never the source line itself.
 */
function buildError(error: unknown, codeRoot: string, prefixes: ReadonlyMap<string, number>): ErrorShape {
  const first: Message | undefined = (error as Partial<BuildFailure>).errors?.[0]
  if (first === undefined) {
    return {
      errorType: ErrorType.UserCodeSyntaxError,
      errorMessage: `SyntaxError: ${error instanceof Error ? error.message : String(error)}`,
      trace: [],
    }
  }
  const location = first.location
  let where = ''
  if (location !== null) {
    const file = resolve(codeRoot, location.file)
    const column = location.column - (location.line === 1 ? (prefixes.get(file) ?? 0) : 0)
    where = `${relative(codeRoot, file)}:${location.line}:${column + 1}: `
  }
  if (first.text.startsWith('Could not resolve')) {
    const errorMessage = `Error: ${where}${first.text}`
    return {
      errorType: ErrorType.ImportModuleError,
      errorMessage,
      trace: [`${ErrorType.ImportModuleError}: ${errorMessage}`],
    }
  }
  const errorMessage = `SyntaxError: ${where}${first.text}`
  return {
    errorType: ErrorType.UserCodeSyntaxError,
    errorMessage,
    trace: [`${ErrorType.UserCodeSyntaxError}: ${errorMessage}`],
  }
}
