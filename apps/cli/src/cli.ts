import { readFileSync } from 'node:fs'
import { ConfigError } from './config/config-error.js'
import { MAIN_HELP } from './help.js'
import { UsageError } from './usage-error.js'

type Command = (argv: string[]) => Promise<number>

// Imported lazily: `lambdalet --help` should not load the host, and the bench
// brings its own dependencies.
const commands: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./commands/serve.js')).runServe,
  invoke: async () => (await import('./commands/invoke.js')).runInvoke,
  bench: async () => (await import('./commands/bench.js')).runBench,
}

/** Runs the command line `argv` (without `node` and the script) and resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv
  if (first === undefined) {
    process.stderr.write(MAIN_HELP + '\n')
    return 2
  }
  if (first === '-h' || first === '--help' || first === 'help') {
    process.stdout.write(MAIN_HELP + '\n')
    return 0
  }
  if (first === '-v' || first === '--version') {
    process.stdout.write(version() + '\n')
    return 0
  }
  const load = commands[first]
  if (load === undefined) {
    const what = first.startsWith('-') ? `unknown option ${first}` : `unknown command ${JSON.stringify(first)}`
    process.stderr.write(`lambdalet: ${what}\nRun "lambdalet --help" for usage.\n`)
    return 2
  }
  try {
    return await (await load())(rest)
  } catch (error) {
    return report(first, error)
  }
}

function report(command: string, error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`lambdalet ${command}: ${error.message}\nRun "lambdalet ${command} --help" for usage.\n`)
    return 2
  }
  if (error instanceof ConfigError) {
    for (const issue of error.issues) process.stderr.write(`${issue}\n`)
    return 2
  }
  process.stderr.write(`lambdalet ${command}: ${error instanceof Error ? error.message : String(error)}\n`)
  return 1
}

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}
