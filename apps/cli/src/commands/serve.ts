import { parseArgs } from 'node:util'
import { storeKind } from '@lambdalet/events'
import {
  helpOption,
  logFormatOption,
  parseDuration,
  parseLogFormat,
  parseLogLevel,
  parsePort,
  withUsageErrors,
} from '../command-args.js'
import { loadProject } from '../config/load-project.js'
import { SERVE_HELP } from '../help.js'
import { createLogWriter, toStdout } from '../logging/log-writer.js'
import { readApiKeyFile } from '../server/api-key-file.js'
import { endpointLines } from '../server/endpoints.js'
import { handleShutdownSignals } from '../server/shutdown.js'
import { startServer } from '../server/start-server.js'
import { UsageError } from '../usage-error.js'
import { watchServedProject } from './serve-watch.js'

const options = {
  config: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'api-key': { type: 'string' },
  'api-key-file': { type: 'string' },
  'insecure-no-auth': { type: 'boolean' },
  'drain-timeout': { type: 'string' },
  store: { type: 'string' },
  watch: { type: 'boolean' },
  ...logFormatOption,
  ...helpOption,
} as const

/** `lambdalet serve [dir]`: runs until SIGTERM or SIGINT, then drains and resolves with the exit code. */
export async function runServe(argv: string[]): Promise<number> {
  const { values, positionals } = withUsageErrors(() =>
    parseArgs({ args: argv, options, strict: true, allowPositionals: true }),
  )
  if (values.help === true) {
    process.stdout.write(SERVE_HELP + '\n')
    return 0
  }
  if (positionals.length > 1) throw new UsageError(`expected at most one folder, got ${positionals.length} arguments`)
  const port = parsePort(values.port, 3000)
  const host = values.host ?? '127.0.0.1'
  const drainFlag = values['drain-timeout']
  const drainTimeoutFlag = drainFlag === undefined ? undefined : parseDuration('--drain-timeout', drainFlag, 0)
  const logLevel = parseLogLevel(values['log-level'])
  const log = createLogWriter(parseLogFormat(values['log-format']), toStdout, logLevel)

  if (values.store !== undefined) {
    const kind = storeKind(values.store)
    if (!kind.ok) throw new UsageError(`--store: expected ${kind.message}, got ${JSON.stringify(values.store)}`)
  }
  if (values['api-key'] !== undefined && values['api-key-file'] !== undefined) {
    throw new UsageError('expected one of --api-key and --api-key-file, got both')
  }
  const projectOptions = { dir: positionals[0], configFile: values.config }
  const { warnings, apiKeyFile, ...project } = await loadProject(projectOptions)
  for (const warning of warnings) log.warn(warning)
  // The most explicit wins: a flag, then the environment, then the config file.
  const keyFile = values['api-key-file']
  const apiKey =
    values['api-key'] ??
    (keyFile === undefined ? undefined : readApiKeyFile(keyFile, '--api-key-file')) ??
    nonEmpty(process.env['LAMBDALET_API_KEY']) ??
    (apiKeyFile === undefined ? undefined : readApiKeyFile(apiKeyFile, 'apiKeyFile'))
  const drainTimeoutMs = drainTimeoutFlag ?? project.drainTimeoutMs ?? 10_000

  const server = await startServer({
    ...project,
    port,
    host,
    drainTimeoutMs,
    logs: { level: logLevel, sink: log.entry },
    logger: log.gateway,
    apiKey,
    insecureNoAuth: values['insecure-no-auth'] === true,
    store: values.store ?? project.store ?? project.defaultStore,
    watch: values.watch === true,
    processEnv: process.env,
  })
  log.info(`events: ${server.events.storeDescription}`, { store: server.events.storeDescription })
  for (const line of endpointLines(server.url, project.functions)) log.info(line.text, line.fields)
  for (const [rule, schedule] of Object.entries(server.events.scheduleStats())) {
    const state = schedule.enabled ? '' : ' (disabled)'
    log.info(`schedule ${rule}: ${schedule.schedule} → ${schedule.functionName}${state}`, {
      rule,
      schedule: schedule.schedule,
      functionName: schedule.functionName,
      enabled: schedule.enabled,
    })
  }
  const watcher = values.watch === true ? await watchServedProject(server, projectOptions, log) : null
  log.info(`lambdalet listening on ${server.url}`, { url: server.url, port: server.port, host })
  if (apiKey === undefined && values['insecure-no-auth'] === true) {
    log.warn(`no API key: anyone who can reach ${server.url} can run these functions`)
  }

  return new Promise((resolve) => {
    handleShutdownSignals({
      async stop(signal) {
        // close() stops listening before it first awaits, so this line means new connections are refused.
        const closed = server.close()
        void watcher?.close()
        log.info(`${signal}: shutting down, waiting up to ${drainTimeoutMs} ms for in-flight work`, { signal })
        const drained = await closed
        if (drained) log.info('stopped')
        else log.warn(`stopped: in-flight work was cut off after the ${drainTimeoutMs} ms drain timeout`)
        resolve(drained ? 0 : 1)
      },
      force(signal) {
        log.warn(`${signal} again: exiting now`, { signal })
        process.exit(130)
      },
    })
  })
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}
