import { LATEST_VERSION, logGroupName } from '@lambdalet/protocol'
import type { FunctionConfig } from './options.js'

/** Host variables a handler may reasonably need; nothing else leaks in (no secrets). */
const inherited = ['PATH', 'LANG', 'TZ', 'HOME', 'TMPDIR']

/**
 * A function's own `process.env`, as Lambda builds it: a few system
 * variables, the `AWS_*` ones the runtime sets, then the function's own.
 */
export function lambdaEnvironment(config: FunctionConfig, region: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const key of inherited) {
    const value = process.env[key]
    if (value !== undefined) env[key] = value
  }
  const nodeMajor = process.versions.node.split('.')[0]
  return {
    ...env,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${nodeMajor}.x`,
    AWS_LAMBDA_FUNCTION_NAME: config.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: LATEST_VERSION,
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName(config.name),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    LAMBDA_TASK_ROOT: config.codeRoot,
    _HANDLER: config.handler,
    ...config.env,
  }
}
