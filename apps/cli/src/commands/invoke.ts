import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { createHost, type FunctionOptions, isLambdaError } from '@lambdalet/host'
import { helpOption, logFormatOption, parseLogFormat, parseLogLevel, withUsageErrors } from '../command-args.js'
import { errorCode } from '../config/config-error.js'
import { hostFunctionOptions } from '../config/function-definition.js'
import { loadProject } from '../config/load-project.js'
import { INVOKE_HELP } from '../help.js'
import { createLogWriter, toStderr } from '../logging/log-writer.js'
import { UsageError } from '../usage-error.js'

const options = {
  event: { type: 'string' },
  'event-file': { type: 'string' },
  config: { type: 'string' },
  ...logFormatOption,
  ...helpOption,
} as const

/** `lambdalet invoke <name> [dir]`: one invocation; the result on stdout, the logs on stderr. */
export async function runInvoke(argv: string[]): Promise<number> {
  const { values, positionals } = withUsageErrors(() =>
    parseArgs({ args: argv, options, strict: true, allowPositionals: true }),
  )
  if (values.help === true) {
    process.stdout.write(INVOKE_HELP + '\n')
    return 0
  }
  const [name, dir, ...extra] = positionals
  if (name === undefined) throw new UsageError('expected the name of the function to invoke')
  if (extra.length > 0) {
    throw new UsageError(`expected a function name and at most one folder, got ${positionals.length} arguments`)
  }
  const logLevel = parseLogLevel(values['log-level'])
  const log = createLogWriter(parseLogFormat(values['log-format']), toStderr, logLevel)
  const payload = await readEvent(values.event, values['event-file'])

  const project = await loadProject({ dir, configFile: values.config })
  for (const warning of project.warnings) log.warn(warning)
  const definition = project.functions[name]
  if (definition === undefined) {
    const known = Object.keys(project.functions).sort().join(', ')
    throw new UsageError(`no function named ${JSON.stringify(name)} (found: ${known})`)
  }
  // Only the function being invoked, and no environments kept warm: one cold start, one result.
  const functionOptions: FunctionOptions = { ...hostFunctionOptions(definition), minWarm: 0 }
  const host = createHost({
    functions: { [name]: functionOptions },
    region: project.region,
    accountId: project.accountId,
    processEnv: process.env,
    inheritEnv: project.inheritEnv,
    logs: { level: logLevel, sink: log.entry },
    drainTimeoutMs: 0,
  })
  try {
    const result = await host.invokeRaw(name, payload)
    process.stdout.write(result.payload + '\n')
    return result.functionError ? 1 : 0
  } catch (error) {
    if (!isLambdaError(error)) throw error
    toStderr(`lambdalet invoke: ${error.errorType}: ${error.errorMessage}`)
    return 1
  } finally {
    await host.close()
  }
}

async function readEvent(event: string | undefined, file: string | undefined): Promise<string> {
  if (event !== undefined && file !== undefined) throw new UsageError('expected --event or --event-file, not both')
  let text = event ?? '{}'
  let source = '--event'
  if (file !== undefined) {
    source = file === '-' ? 'stdin' : file
    try {
      text = file === '-' ? await readStdin() : await readFile(file, 'utf8')
    } catch (error) {
      throw new UsageError(`--event-file: cannot read ${file} (${errorCode(error)})`)
    }
  }
  try {
    JSON.parse(text)
  } catch (error) {
    throw new UsageError(`the event from ${source} is not valid JSON (${(error as Error).message})`)
  }
  return text
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
