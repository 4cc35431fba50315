import { readFileSync } from 'node:fs'
import { ConfigError, errorCode } from '../config/config-error.js'

/**
 * The API key kept in a file (`--api-key-file`, `apiKeyFile`), so that it
 * need not be in the environment, which every function can read through
 * `/proc/self/environ`, nor on the command line, which every user sees.
 * Surrounding whitespace (the trailing newline of `echo key > file`) is not
 * part of it.
 */
export function readApiKeyFile(path: string, source: string): string {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError([`${source}: cannot read ${path}: ${errorCode(error)}`])
  }
  const key = text.trim()
  if (key === '') throw new ConfigError([`${source}: expected an API key in ${path}, got an empty file`])
  return key
}
