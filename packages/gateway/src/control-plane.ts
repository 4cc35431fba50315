import { ErrorType, type Invoker } from '@lambdalet/protocol'
import type { Context, Hono } from 'hono'
import { apiError } from './api-error.js'
import { createConfiguration, type FunctionConfiguration, type FunctionDescription } from './function-configuration.js'
import { type FunctionScope, functionArn } from './function-scope.js'
import type { GatewayEnv } from './gateway-env.js'
import { servedFunction } from './served-function.js'

export interface ControlPlaneDeps {
  invoker: Invoker
  descriptions: Readonly<Record<string, FunctionDescription>>
  scope: FunctionScope
  startedAt: number
}

const FUNCTIONS_PATH = '/2015-03-31/functions'
/** ListFunctions' page size when `MaxItems` is not given, as Lambda's. */
const DEFAULT_PAGE = 50
const MAX_PAGE = 10_000

/**
 * The read side of Lambda's control plane, so that `aws lambda
 * list-functions` / `get-function` and the SDK's commands can see what is
 * served: ListFunctions, GetFunction and GetFunctionConfiguration.
 */
export function registerControlPlane(app: Hono<GatewayEnv>, deps: ControlPlaneDeps): void {
  const { invoker, scope } = deps
  const built = new Map<string, FunctionConfiguration>()
  // Per name and on first use: the invoker's set of functions may change
  // while the server runs; a function's configuration does not.
  const configuration = (name: string): FunctionConfiguration => {
    let found = built.get(name)
    if (found === undefined) {
      found = createConfiguration(name, deps.descriptions, scope, deps.startedAt)
      built.set(name, found)
    }
    return found
  }

  /** The configuration `:name` (and `?Qualifier=`) names, or the error response Lambda would send. */
  function find(c: Context<GatewayEnv>): FunctionConfiguration | Response {
    const served = servedFunction(c, invoker, scope)
    if (served instanceof Response) return served
    const { name, qualifier } = served
    const found = configuration(name)
    return qualifier === undefined ? found : { ...found, FunctionArn: functionArn(scope, name, qualifier) }
  }

  const listFunctions = (c: Context<GatewayEnv>): Response => {
    const maxItems = c.req.query('MaxItems')
    const pageSize = maxItems === undefined ? DEFAULT_PAGE : Number(maxItems)
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE) {
      return apiError(
        c,
        400,
        ErrorType.InvalidParameterValue,
        `1 validation error detected: Value '${maxItems}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and ${MAX_PAGE}`,
      )
    }
    // The marker is the last name of the previous page: a page still starts
    // in the right place if that function has gone away meanwhile.
    const marker = c.req.query('Marker')
    const names = invoker
      .functionNames()
      .filter((name) => marker === undefined || name > marker)
      .sort()
    const page = names.slice(0, pageSize)
    const body: { Functions: FunctionConfiguration[]; NextMarker?: string } = { Functions: page.map(configuration) }
    if (names.length > page.length) body.NextMarker = page[page.length - 1] as string
    return answer(c, body)
  }

  // Lambda's path ends in `/` (the SDK sends it); a hand-typed one may not.
  app.get(`${FUNCTIONS_PATH}/`, listFunctions)
  app.get(FUNCTIONS_PATH, listFunctions)
  app.get(`${FUNCTIONS_PATH}/:name`, (c) => {
    const found = find(c)
    if (found instanceof Response) return found
    const body: { Configuration: FunctionConfiguration; Concurrency?: { ReservedConcurrentExecutions: number } } = {
      Configuration: found,
    }
    const maxConcurrency = Object.hasOwn(deps.descriptions, found.FunctionName)
      ? deps.descriptions[found.FunctionName]?.maxConcurrency
      : undefined
    if (maxConcurrency !== undefined) body.Concurrency = { ReservedConcurrentExecutions: maxConcurrency }
    return answer(c, body)
  })
  app.get(`${FUNCTIONS_PATH}/:name/configuration`, (c) => {
    const found = find(c)
    return found instanceof Response ? found : answer(c, found)
  })
}

/** Lambda sends its request id with every answer; the SDK reports it as `$metadata.requestId`. */
function answer(c: Context<GatewayEnv>, body: object): Response {
  c.header('X-Amzn-RequestId', c.get('requestId'))
  return c.json(body, 200)
}
