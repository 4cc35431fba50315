import { existsSync } from 'node:fs'
import { basename, extname, relative, sep } from 'node:path'
import { type ErrorShape, ErrorType } from '@lambdalet/protocol'
import type { FunctionConfig } from './options.js'
import { isTypeScript, TypeScriptBundle } from './typescript-bundle.js'

const CODE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.jsx', '.ts', '.mts', '.cts', '.tsx'])

/**
 * What a function's environments load. JavaScript is imported as it is;
 * a TypeScript handler is bundled in the host first (see
 * `TypeScriptBundle`), and the runtime imports the bundle in its place.
 * Which candidate file serves is decided at each cold start, as the runtime
 * decides it: the first that exists.
 */
export class FunctionCode {
  readonly #config: FunctionConfig
  readonly #bundles = new Map<string, TypeScriptBundle>()

  constructor(config: FunctionConfig) {
    this.#config = config
    for (const candidate of config.spec.candidates) {
      if (isTypeScript(candidate)) this.#bundles.set(candidate, new TypeScriptBundle(config.codeRoot, candidate))
    }
  }

  /** What the runtime tries, in order: the candidates, a TypeScript one replaced by its bundle. */
  get moduleCandidates(): string[] {
    return this.#config.spec.candidates.map((candidate) => this.#bundles.get(candidate)?.outfile ?? candidate)
  }

  /** Whether a candidate is TypeScript: its workers then map stack traces through source maps. */
  get typescript(): boolean {
    return this.#bundles.size > 0
  }

  /**
   * Before a cold start: builds the bundle of the TypeScript file that
   * serves, if one does and it is stale. Resolves with the init error a
   * failed build is, or null. Plain JavaScript needs nothing.
   */
  async prepare(): Promise<ErrorShape | null> {
    if (this.#bundles.size === 0) return null
    const serving = this.#config.spec.candidates.find((candidate) => existsSync(candidate))
    if (serving === undefined) {
      // Said here, not by the runtime, which would name the bundles it tried.
      const candidates = this.#config.spec.candidates
      const errorMessage = `Error: Cannot find module '${basename(candidates[0] as string)}'\nTried: ${candidates.join(', ')}`
      return { errorType: ErrorType.ImportModuleError, errorMessage, trace: [] }
    }
    return (await this.#bundles.get(serving)?.current()) ?? null
  }

  /**
   * Whether a change to `file` (added, edited or removed) can change what
   * this function runs; a TypeScript bundle it concerns is marked stale. A
   * code file outside a bundle's inputs concerns a bundled function only if
   * it could become a candidate; anything else under the code root (a JSON
   * file read at run time, a package.json, a tsconfig) always does.
   */
  touches(file: string): boolean {
    const inside = relative(this.#config.codeRoot, file)
    if (inside.startsWith(`..${sep}`) || inside === '..') return false
    if (this.#config.spec.candidates.includes(file)) {
      this.#markAllStale()
      return true
    }
    if (this.#bundles.size === 0 || !CODE_EXTENSIONS.has(extname(file))) {
      this.#markAllStale()
      return true
    }
    let touched = false
    for (const bundle of this.#bundles.values()) {
      if (bundle.inputs.has(file) || bundle.inputs.size === 0) {
        bundle.markStale()
        touched = true
      }
    }
    // A JavaScript candidate serves, and imports who knows what.
    const serving = this.#config.spec.candidates.find((candidate) => existsSync(candidate))
    return touched || (serving !== undefined && !isTypeScript(serving))
  }

  #markAllStale(): void {
    for (const bundle of this.#bundles.values()) bundle.markStale()
  }
}
