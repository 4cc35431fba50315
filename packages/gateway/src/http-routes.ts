import { randomUUID } from 'node:crypto'
import { type Invoker, MAX_PAYLOAD_BYTES, type RawInvokeResult } from '@lambdalet/protocol'
import type { Handler, Hono } from 'hono'
import { createHttpApiEvent } from './api-gateway-event.js'
import { createProxyEventV1 } from './api-gateway-event-v1.js'
import { readRequestParts } from './api-gateway-request.js'
import { httpApiErrorResponse, httpApiResponse } from './api-gateway-result.js'
import { proxyResponseV1 } from './api-gateway-result-v1.js'
import { closeAfterResponse } from './close-after-response.js'
import type { GatewayEnv } from './gateway-env.js'
import type { Lifecycle } from './lifecycle.js'
import type { GatewayLogger } from './logger.js'
import { nodeOutgoing } from './node-streamed-body.js'
import { payloadLimit } from './payload-limit.js'
import { readBody } from './request-body.js'
import { compareRoutes, parseRouteKey, type Route } from './route-key.js'
import { streamInvoke } from './stream-invoke.js'
import { streamedRouteResponse } from './streamed-route-response.js'

/** API Gateway's `payloadFormatVersion`: the event a function gets and how its result is read. */
export type PayloadFormatVersion = '1.0' | '2.0'

export interface HttpRoutesDeps {
  invoker: Invoker
  accountId: string
  apiId: string
  log: GatewayLogger
  /** Function name → format; `2.0` when absent. */
  payloadFormatVersions?: Readonly<Record<string, PayloadFormatVersion>>
  /** Streamed responses hold its drain open until they end. */
  lifecycle?: Lifecycle
}

const EMPTY_BODY = new Uint8Array(0)

/** Parses, orders and registers `routes` (function name → route keys) on `app`. */
export function registerHttpRoutes(
  app: Hono<GatewayEnv>,
  routes: Readonly<Record<string, readonly string[]>>,
  deps: HttpRoutesDeps,
): void {
  const parsed: Route[] = []
  const seen = new Map<string, string>()
  for (const [functionName, keys] of Object.entries(routes)) {
    if (!deps.invoker.hasFunction(functionName)) {
      throw new TypeError(`Expected \`routes\` to name known functions, got ${JSON.stringify(functionName)}`)
    }
    if (!Array.isArray(keys)) {
      throw new TypeError(`Expected \`routes.${functionName}\` to be an array of route keys, got \`${typeof keys}\``)
    }
    for (const key of keys as unknown[]) {
      if (typeof key !== 'string') {
        throw new TypeError(`Expected \`routes.${functionName}\` entries to be strings, got \`${typeof key}\``)
      }
      const route = parseRouteKey(functionName, key)
      const owner = seen.get(route.routeKey)
      if (owner !== undefined) {
        throw new TypeError(
          `Expected route keys to be unique, got ${JSON.stringify(route.routeKey)} for both \`${owner}\` and \`${functionName}\``,
        )
      }
      seen.set(route.routeKey, functionName)
      parsed.push(route)
    }
  }

  for (const [functionName, version] of Object.entries(deps.payloadFormatVersions ?? {})) {
    if (!deps.invoker.hasFunction(functionName)) {
      throw new TypeError(
        `Expected \`payloadFormatVersions\` to name known functions, got ${JSON.stringify(functionName)}`,
      )
    }
    if (version !== '1.0' && version !== '2.0') {
      throw new TypeError(
        `Expected \`payloadFormatVersions.${functionName}\` to be "1.0" or "2.0", got ${JSON.stringify(version)}`,
      )
    }
  }

  const limit = payloadLimit(MAX_PAYLOAD_BYTES, (c) => {
    closeAfterResponse(c)
    return c.json({ message: 'Request Entity Too Large' }, 413)
  })
  for (const route of parsed.sort(compareRoutes)) {
    const handler = createRouteHandler(route, deps, app)
    if (route.method === 'ANY') app.all(route.honoPath, limit, handler)
    else app.on(route.method, route.honoPath, limit, handler)
  }
}

function createRouteHandler(route: Route, deps: HttpRoutesDeps, app: Hono<GatewayEnv>): Handler<GatewayEnv> {
  const { invoker, accountId, apiId, log } = deps
  const { functionName } = route
  const v1 = deps.payloadFormatVersions?.[functionName] === '1.0'
  return async function httpRoute(c) {
    const requestId = randomUUID()
    const method = c.req.method
    const body = method === 'GET' || method === 'HEAD' ? EMPTY_BODY : await readBody(c)
    const refused = c.get('bodyReceived')()
    if (refused !== undefined) return refused
    const parts = readRequestParts(c, route, body)
    const context = { accountId, apiId, requestId, now: Date.now() }
    const event = v1 ? createProxyEventV1(parts, route, context) : createHttpApiEvent(parts, route, context)
    let result: RawInvokeResult
    try {
      // A streaming handler's response goes out as it is written (a
      // Function URL's RESPONSE_STREAM); any other's is mapped whole.
      const head = await streamInvoke(invoker, functionName, JSON.stringify(event), { requestId }, deps.lifecycle)
      if (head.streamed) return streamedRouteResponse(head, requestId, method === 'HEAD', nodeOutgoing(c, app))
      result = head.result
    } catch (error) {
      return httpApiErrorResponse(error, requestId)
    }
    if (!v1) return httpApiResponse(result, requestId)
    const mapped = proxyResponseV1(result, requestId)
    // The client only sees 502; the reason belongs in the server's log, as in API Gateway's execution log.
    if (!mapped.ok) {
      log({
        level: 'error',
        message: 'Malformed Lambda proxy response',
        functionName,
        requestId,
        errorMessage: mapped.reason,
      })
    }
    return mapped.response
  }
}
