import { extname, isAbsolute, resolve } from 'node:path'

/** Where a handler lives and what it is called, parsed from its configured string. */
export interface HandlerSpec {
  /** Files to try, in order (Lambda tries `.js`, `.mjs`, `.cjs`, then, on Node 24, `.ts`, `.mts`, `.cts`). */
  candidates: string[]
  /** The export to call; dotted for nested exports (`handlers.main`). */
  exportName: string
}

/** The order Lambda's Node.js runtime tries them in (TypeScript ones since Node 24). */
const moduleExtensions = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts']

/**
 * Parses a handler string, accepting three forms:
 * - `path/to/file.mjs` → the file's `handler` export;
 * - `path/to/file.mjs#otherExport` → that export;
 * - `src/index.handler` (Lambda style) → `src/index.{js,mjs,cjs,ts,mts,cts}`, export `handler`.
 * Relative paths resolve against `codeDir`.
 */
export function parseHandler(handler: string, codeDir: string): HandlerSpec {
  if (typeof handler !== 'string' || handler.trim() === '') {
    throw new TypeError(`Expected \`handler\` to be a non-empty string, got \`${String(handler)}\``)
  }
  const hash = handler.lastIndexOf('#')
  if (hash !== -1) {
    const file = handler.slice(0, hash)
    const exportName = handler.slice(hash + 1)
    if (file === '' || exportName === '') {
      throw new TypeError(`Expected \`handler\` as \`file#export\`, got \`${handler}\``)
    }
    return { candidates: [absolute(file, codeDir)], exportName }
  }
  if (moduleExtensions.includes(extname(handler))) {
    return { candidates: [absolute(handler, codeDir)], exportName: 'handler' }
  }
  const slash = handler.lastIndexOf('/')
  const dot = handler.indexOf('.', slash + 1)
  if (dot === -1 || dot === handler.length - 1) {
    throw new TypeError(
      `Expected \`handler\` as \`file.mjs\`, \`file.mjs#export\` or \`module.export\`, got \`${handler}\``,
    )
  }
  const base = absolute(handler.slice(0, dot), codeDir)
  return {
    candidates: moduleExtensions.map((extension) => base + extension),
    exportName: handler.slice(dot + 1),
  }
}

function absolute(file: string, codeDir: string): string {
  return isAbsolute(file) ? file : resolve(codeDir, file)
}
