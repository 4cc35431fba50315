/** A mistake on the command line: the CLI prints it with a hint and exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
