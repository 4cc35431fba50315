import { MAX_PAYLOAD_BYTES, type Invoker, type RawInvokeResult } from '@lambdalet/protocol'
import type { Env, Handler, Hono } from 'hono'
import { randomUUID } from 'node:crypto'
import { createHttpApiEvent } from './api-gateway-event.js'
import { httpApiErrorResponse, httpApiResponse } from './api-gateway-result.js'
import { closeAfterResponse } from './close-after-response.js'
import { payloadLimit } from './payload-limit.js'
import { compareRoutes, parseRouteKey, type Route } from './route-key.js'

export interface HttpRoutesDeps {
  invoker: Invoker
  accountId: string
  apiId: string
}

const EMPTY_BODY = new Uint8Array(0)

/** Parses, orders and registers `routes` (function name → route keys) on `app`. */
export function registerHttpRoutes<E extends Env>(
  app: Hono<E>,
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

  const limit = payloadLimit(MAX_PAYLOAD_BYTES, (c) => {
    closeAfterResponse(c)
    return c.json({ message: 'Request Entity Too Large' }, 413)
  })
  for (const route of parsed.sort(compareRoutes)) {
    const handler = createRouteHandler(route, deps)
    if (route.method === 'ANY') app.all(route.honoPath, limit, handler)
    else app.on(route.method, route.honoPath, limit, handler)
  }
}

function createRouteHandler(route: Route, deps: HttpRoutesDeps): Handler {
  const { invoker, accountId, apiId } = deps
  return async function httpRoute(c) {
    const requestId = randomUUID()
    const method = c.req.method
    const body = method === 'GET' || method === 'HEAD' ? EMPTY_BODY : new Uint8Array(await c.req.arrayBuffer())
    const event = createHttpApiEvent(c, route, body, { accountId, apiId, requestId, now: Date.now() })
    let result: RawInvokeResult
    try {
      result = await invoker.invokeRaw(route.functionName, JSON.stringify(event), { requestId })
    } catch (error) {
      return httpApiErrorResponse(error, requestId)
    }
    return httpApiResponse(result, requestId)
  }
}
