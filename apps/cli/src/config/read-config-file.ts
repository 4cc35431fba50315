import { readFile } from 'node:fs/promises'
import { ConfigError, errorCode } from './config-error.js'
import { type ConfigFile, validateConfig } from './validate-config.js'

/**
 * Reads and checks a config file. Every problem is reported as
 * `<shown>: <key path>: expected …, got …`, all of them at once.
 */
export async function readConfigFile(path: string, shown: string): Promise<ConfigFile> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new ConfigError([`${shown}: cannot read the config file (${errorCode(error)})`])
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw new ConfigError([
      `${shown}${jsonErrorPosition(text, (error as Error).message)}: not valid JSON (${(error as Error).message})`,
    ])
  }
  const { config, issues } = validateConfig(raw)
  if (config === null) throw new ConfigError(issues.map((issue) => `${shown}: ${issue}`))
  return config
}

/** `:line:column` of a JSON.parse error, from the "at position N" V8 puts in its message. */
function jsonErrorPosition(text: string, message: string): string {
  const match = /at position (\d+)/.exec(message)
  if (match === null) return ''
  const before = text.slice(0, Number(match[1]))
  const line = before.split('\n').length
  return `:${line}:${before.length - before.lastIndexOf('\n')}`
}
