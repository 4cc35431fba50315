import { dirname } from 'node:path'
import { LATEST_VERSION, logGroupName } from '@lambdalet/protocol'
import { type EnvironmentSource, functionCredentials } from './lambda-environment.js'
import type { FunctionConfig } from './options.js'

/**
 * The environment of a process environment, as Lambda gives a runtime's
 * process: the `AWS_LAMBDA_*` variables, a `PATH` of Lambda's form (this
 * Node's folder first, so a Node runtime client finds `node`), `TZ=:UTC`,
 * the credentials and AWS endpoints the host gives every function (the
 * server's keys or named profile, dummy keys otherwise), the host variables
 * named in `inheritEnv`, then the function's own variables, and nothing else
 * of the host's: no `HOME`, no other variable it was started with.
 * `AWS_LAMBDA_RUNTIME_API` is added per environment, with its own port.
 */
export function processEnvironment(
  config: FunctionConfig,
  source: EnvironmentSource,
  logStreamName: string,
): Record<string, string> {
  const region = source.region
  const env: Record<string, string> = {
    PATH: [...new Set([dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'])].join(':'),
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LAMBDA_TASK_ROOT: config.codeRoot,
    LAMBDA_RUNTIME_DIR: config.codeRoot,
    _HANDLER: config.handler,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: config.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: LATEST_VERSION,
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName(config.name),
    // The official Node client refuses to run an event without it.
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  }
  // As Lambda gives a runtime's process its execution role's credentials.
  Object.assign(env, functionCredentials(source.processEnv))
  for (const [service, url] of Object.entries(source.awsEndpoints))
    env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] = url
  // Only the host variables the user named (`inheritEnv`), then the function's own.
  for (const name of [...source.inheritEnv, ...config.inheritEnv]) {
    const value = source.processEnv[name]
    if (value !== undefined) env[name] = value
  }
  Object.assign(env, config.env)
  // A Node runtime client keeps its heap within the function's memory, sized
  // as Lambda's Node bootstrap sizes it: a tenth for the young generation
  // (half of it a semi-space), the rest for the old one. The semi-space
  // must be given too: V8 derives it from the old space's limit otherwise,
  // and a small one made the official client's p90 latency several times
  // worse here. RSS over `memoryMb` is the transport's to catch.
  const newSpace = Math.floor(config.memoryMb / 10)
  const heap = `--max-semi-space-size=${Math.max(1, Math.floor(newSpace / 2))} --max-old-space-size=${config.memoryMb - newSpace}`
  const own = config.env['NODE_OPTIONS']
  env['NODE_OPTIONS'] = own === undefined ? heap : `${heap} ${own}`
  return env
}
