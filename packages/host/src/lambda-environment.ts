import { LATEST_VERSION, logGroupName } from '@lambdalet/protocol'
import type { FunctionConfig } from './options.js'

/** What every function's environment is built from, beyond the function's own settings. */
export interface EnvironmentSource {
  region: string
  /** The environment functions inherit from (`HostOptions.processEnv`); nothing is read from it but the names below. */
  processEnv: Readonly<Record<string, string | undefined>>
  /** More names copied from `processEnv`, for every function (`HostOptions.inheritEnv`). */
  inheritEnv: readonly string[]
  /** Service → endpoint URL, as `AWS_ENDPOINT_URL_<SERVICE>` (`lambda` → the server itself). */
  awsEndpoints: Readonly<Record<string, string>>
}

/** Host variables a handler may reasonably need; nothing else leaks in (no secrets). */
const SYSTEM = ['PATH', 'LANG', 'TZ', 'HOME', 'TMPDIR']

/**
 * Lambda hands a function its execution role's credentials; here that is the
 * server's own when it has them, else dummy ones (enough for an SDK client
 * that calls lambdalet, which checks no signature), so an SDK call inside a
 * handler never fails with `CredentialsProviderError`.
 */
const DUMMY_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'ASIALAMBDALETLOCAL00',
  AWS_SECRET_ACCESS_KEY: 'lambdalet-local-secret-access-key',
  AWS_SESSION_TOKEN: 'lambdalet-local-session-token',
}

/**
 * A function's own `process.env`, as Lambda builds it: a few system
 * variables, the `AWS_*` ones the runtime sets (region, credentials,
 * endpoints), the ones the user asked to inherit, then the function's own.
 */
export function lambdaEnvironment(config: FunctionConfig, source: EnvironmentSource): Record<string, string> {
  const env: Record<string, string> = {}
  const parent = source.processEnv
  const copy = (name: string): void => {
    const value = parent[name]
    if (value !== undefined) env[name] = value
  }
  for (const name of SYSTEM) copy(name)
  const nodeMajor = process.versions.node.split('.')[0]
  Object.assign(env, {
    AWS_REGION: source.region,
    AWS_DEFAULT_REGION: source.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${nodeMajor}.x`,
    AWS_LAMBDA_FUNCTION_NAME: config.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: LATEST_VERSION,
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName(config.name),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    LAMBDA_TASK_ROOT: config.codeRoot,
    _HANDLER: config.handler,
  })
  Object.assign(env, functionCredentials(parent))
  for (const [service, url] of Object.entries(source.awsEndpoints))
    env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] = url
  for (const name of source.inheritEnv) copy(name)
  for (const name of config.inheritEnv) copy(name)
  return Object.assign(env, config.env)
}

/** The server's credentials when it has keys or a named profile, dummy ones otherwise. */
export function functionCredentials(parent: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const keyId = parent['AWS_ACCESS_KEY_ID']
  const secret = parent['AWS_SECRET_ACCESS_KEY']
  if (keyId && secret) {
    const token = parent['AWS_SESSION_TOKEN']
    return { AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: secret, ...(token ? { AWS_SESSION_TOKEN: token } : {}) }
  }
  const profile = parent['AWS_PROFILE']
  if (profile) {
    // The SDK finds a profile in these files (under HOME, which is inherited, unless moved).
    const files: Record<string, string> = { AWS_PROFILE: profile }
    for (const name of ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE']) {
      const value = parent[name]
      if (value) files[name] = value
    }
    return files
  }
  return { ...DUMMY_CREDENTIALS }
}
