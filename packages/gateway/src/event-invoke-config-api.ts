import {
  type AsyncInvoker,
  checkEventInvokeConfig,
  ErrorType,
  type EventInvokeConfig,
  type EventInvokeConfigEntry,
  type Invoker,
  isLambdaError,
  type MessageQueues,
} from '@lambdalet/protocol'
import type { Context, Hono } from 'hono'
import { apiError, serviceErrorResponse } from './api-error.js'
import type { FunctionScope } from './function-scope.js'
import type { GatewayEnv } from './gateway-env.js'
import { payloadLimit } from './payload-limit.js'
import { servedFunction } from './served-function.js'

export const EVENT_INVOKE_CONFIG_PATH = '/2019-09-25/functions/:name/event-invoke-config'

/** An event-invoke-config body is a few fields; anything larger is not one. */
const MAX_BODY_BYTES = 64 * 1024

interface Deps {
  invoker: Invoker
  events: AsyncInvoker
  /** The region and account ARNs in the path must name, as for the Invoke API. */
  scope: FunctionScope
  /** Queues a destination may name by its SQS ARN (kept as `queue:<name>` inside). */
  queues?: MessageQueues | undefined
}

/** How destinations are written on the wire: a function's ARN, or a queue's. */
interface DestinationArns {
  functionPrefix: string
  queuePrefix: string
  isFunction(name: string): boolean
  isQueue(name: string): boolean
}

const QUEUE_DESTINATION = 'queue:'

/**
 * Put / Update / Get / Delete / List FunctionEventInvokeConfig, in AWS's
 * shapes (the AWS SDK's `…FunctionEventInvokeConfigCommand`s). Destinations
 * are function or SQS queue ARNs on the wire, and function names or
 * `queue:<name>` inside.
 */
export function registerEventInvokeConfigApi(app: Hono<GatewayEnv>, deps: Deps): void {
  const { invoker, events, scope } = deps
  const { region, accountId } = scope
  const arnPrefix = `arn:aws:lambda:${region}:${accountId}:function:`
  const limit = payloadLimit(MAX_BODY_BYTES, (c) =>
    apiError(c, 413, ErrorType.RequestTooLarge, `Request must be smaller than ${MAX_BODY_BYTES} bytes`),
  )

  const arns: DestinationArns = {
    functionPrefix: arnPrefix,
    queuePrefix: `arn:aws:sqs:${region}:${accountId}:`,
    isFunction: (name) => invoker.hasFunction(name),
    isQueue: (name) => deps.queues?.hasQueue(name) === true,
  }
  const target = (c: Context): { name: string } | Response => servedFunction(c, invoker, scope)
  const shape = (name: string, entry: EventInvokeConfigEntry): object => toAws(`${arnPrefix}${name}`, entry, arns)

  const write = (mode: 'replace' | 'merge') =>
    async function writeEventInvokeConfig(c: Context<GatewayEnv>): Promise<Response> {
      const found = target(c)
      if (found instanceof Response) return found
      let response: Response | undefined
      const rejected = await limit(c, async () => {
        const parsed = fromAws(await c.req.text(), arns)
        if (!parsed.ok) {
          response = apiError(c, 400, ErrorType.InvalidParameterValue, parsed.message)
          return
        }
        try {
          response = c.json(shape(found.name, await events.setEventInvokeConfig(found.name, parsed.config, mode)), 200)
        } catch (error) {
          if (!isLambdaError(error) || error.statusCode === undefined) throw error
          response = serviceErrorResponse(c, error, error.statusCode)
        }
      })
      return rejected ?? (response as Response)
    }

  app.put(EVENT_INVOKE_CONFIG_PATH, write('replace'))
  app.post(EVENT_INVOKE_CONFIG_PATH, write('merge'))
  app.get(`${EVENT_INVOKE_CONFIG_PATH}/list`, (c) => {
    const found = target(c)
    if (found instanceof Response) return found
    const entry = events.getEventInvokeConfig(found.name)
    return c.json({ FunctionEventInvokeConfigs: entry === null ? [] : [shape(found.name, entry)] }, 200)
  })
  app.get(EVENT_INVOKE_CONFIG_PATH, (c) => {
    const found = target(c)
    if (found instanceof Response) return found
    const entry = events.getEventInvokeConfig(found.name)
    if (entry === null) return noConfig(c, `${arnPrefix}${found.name}`)
    return c.json(shape(found.name, entry), 200)
  })
  app.delete(EVENT_INVOKE_CONFIG_PATH, async (c) => {
    const found = target(c)
    if (found instanceof Response) return found
    if (!(await events.deleteEventInvokeConfig(found.name))) return noConfig(c, `${arnPrefix}${found.name}`)
    return c.body(null, 204)
  })
}

function noConfig(c: Context, arn: string): Response {
  return apiError(c, 404, ErrorType.ResourceNotFound, `The function ${arn}:$LATEST doesn't have an EventInvokeConfig`)
}

function toAws(functionArn: string, entry: EventInvokeConfigEntry, arns: DestinationArns): object {
  const { config } = entry
  const destination = (name: string | undefined): { Destination?: string } =>
    name === undefined
      ? {}
      : {
          Destination: name.startsWith(QUEUE_DESTINATION)
            ? `${arns.queuePrefix}${name.slice(QUEUE_DESTINATION.length)}`
            : `${arns.functionPrefix}${name}`,
        }
  return {
    FunctionArn: `${functionArn}:$LATEST`,
    LastModified: entry.lastModified / 1000,
    ...(config.maximumRetryAttempts === undefined ? {} : { MaximumRetryAttempts: config.maximumRetryAttempts }),
    ...(config.maximumEventAgeInSeconds === undefined
      ? {}
      : { MaximumEventAgeInSeconds: config.maximumEventAgeInSeconds }),
    DestinationConfig: {
      OnSuccess: destination(config.destinations?.onSuccess),
      OnFailure: destination(config.destinations?.onFailure),
    },
  }
}

type Parsed = { ok: true; config: EventInvokeConfig } | { ok: false; message: string }

/** AWS's request body to lambdalet's config, with every problem named. */
function fromAws(text: string, arns: DestinationArns): Parsed {
  const { functionPrefix: arnPrefix, isFunction } = arns
  let body: unknown
  try {
    body = text === '' ? {} : JSON.parse(text)
  } catch {
    return { ok: false, message: 'The request body is not valid JSON' }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, message: 'The request body must be a JSON object' }
  }
  const { MaximumRetryAttempts, MaximumEventAgeInSeconds, DestinationConfig, ...rest } = body as Record<string, unknown>
  const unknown = Object.keys(rest)
  if (unknown.length > 0) {
    return {
      ok: false,
      message: `Unknown field(s): ${unknown.join(', ')} (expected MaximumRetryAttempts, MaximumEventAgeInSeconds, DestinationConfig)`,
    }
  }
  const raw: Record<string, unknown> = {}
  if (MaximumRetryAttempts !== undefined) raw['maximumRetryAttempts'] = MaximumRetryAttempts
  if (MaximumEventAgeInSeconds !== undefined) raw['maximumEventAgeInSeconds'] = MaximumEventAgeInSeconds
  const problems: string[] = []
  if (DestinationConfig !== undefined) {
    const destinations: Record<string, unknown> = {}
    const config = (
      typeof DestinationConfig === 'object' && DestinationConfig !== null ? DestinationConfig : {}
    ) as Record<string, unknown>
    for (const [awsKey, key] of [
      ['OnSuccess', 'onSuccess'],
      ['OnFailure', 'onFailure'],
    ] as const) {
      const arn = (config[awsKey] as { Destination?: unknown } | undefined)?.Destination
      if (arn === undefined) continue
      // Another function, or a queue, are the destination kinds served here.
      const queue =
        typeof arn === 'string' && arn.startsWith(arns.queuePrefix) ? arn.slice(arns.queuePrefix.length) : undefined
      const name =
        typeof arn === 'string' && arn.startsWith(arnPrefix)
          ? arn.slice(arnPrefix.length).replace(/:\$LATEST$/, '')
          : undefined
      if (queue !== undefined && arns.isQueue(queue)) {
        destinations[key] = `${QUEUE_DESTINATION}${queue}`
      } else if (name === undefined || !isFunction(name)) {
        problems.push(
          `DestinationConfig.${awsKey}.Destination: expected the ARN of a function (${arnPrefix}NAME) or a queue (${arns.queuePrefix}NAME) served here, got ${JSON.stringify(arn)}`,
        )
      } else {
        destinations[key] = name
      }
    }
    raw['destinations'] = destinations
  }
  const checked = checkEventInvokeConfig(raw, (target) =>
    target.startsWith(QUEUE_DESTINATION) ? arns.isQueue(target.slice(QUEUE_DESTINATION.length)) : isFunction(target),
  )
  if (!checked.ok) problems.push(...checked.problems.map(awsName))
  return problems.length === 0 && checked.ok
    ? { ok: true, config: checked.config }
    : { ok: false, message: problems.join('; ') }
}

/** `maximumRetryAttempts: …` reads as the field the caller sent. */
function awsName(problem: string): string {
  return problem
    .replace(/^maximumRetryAttempts/, 'MaximumRetryAttempts')
    .replace(/^maximumEventAgeInSeconds/, 'MaximumEventAgeInSeconds')
}
