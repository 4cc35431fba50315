/**
 * A problem with the command line, a config file or a functions folder,
 * found before anything starts. The CLI prints it and exits with code 2.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  readonly issues: readonly string[]

  constructor(issues: readonly string[]) {
    super(issues.join('\n'))
    this.issues = issues
  }
}

/** `"3s"`, `-1`, `null`, `an array`: what a value was, for an error message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object' && value !== null) return 'an object'
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 60)}…` : text
}

/** `ENOENT`, or the message of an error without a code. */
export function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error))
}

/** `functions.hello.timeoutMs`, or `functions["odd name"]` when a key is not an identifier. */
export function keyPath(parent: string, key: string): string {
  const part = /^[A-Za-z_$][\w$-]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`
  return parent === '' ? part.replace(/^\./, '') : parent + part
}
