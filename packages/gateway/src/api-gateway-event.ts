import { apiGatewayTime, queryValues, type RequestParts } from './api-gateway-request.js'
import type { Route } from './route-key.js'

/** An API Gateway HTTP API event, payload format version 2.0. */
export interface HttpApiEvent {
  version: '2.0'
  routeKey: string
  rawPath: string
  rawQueryString: string
  cookies?: string[]
  headers: Record<string, string>
  queryStringParameters?: Record<string, string>
  pathParameters?: Record<string, string>
  requestContext: {
    accountId: string
    apiId: string
    domainName: string
    domainPrefix: string
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string }
    requestId: string
    routeKey: string
    stage: '$default'
    time: string
    timeEpoch: number
  }
  body?: string
  isBase64Encoded: boolean
}

export interface EventContext {
  accountId: string
  apiId: string
  requestId: string
  now: number
}

export function createHttpApiEvent(parts: RequestParts, route: Route, context: EventContext): HttpApiEvent {
  const headers: Record<string, string> = {}
  let cookieHeader: string | undefined
  // API Gateway joins a repeated header with ','; cookies go to `cookies`.
  for (const [name, values] of Object.entries(parts.headers)) {
    if (name === 'cookie') cookieHeader = values.join('; ')
    else headers[name] = values.join(',')
  }
  const event: HttpApiEvent = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: parts.rawPath,
    rawQueryString: parts.rawQueryString,
    headers,
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      domainName: parts.domainName,
      domainPrefix: parts.domainPrefix,
      http: {
        method: parts.method,
        path: parts.rawPath,
        protocol: parts.protocol,
        sourceIp: parts.sourceIp,
        userAgent: parts.userAgent,
      },
      requestId: context.requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: apiGatewayTime(context.now),
      timeEpoch: context.now,
    },
    isBase64Encoded: false,
  }
  if (cookieHeader !== undefined) {
    const cookies = cookieHeader
      .split(';')
      .map((cookie) => cookie.trim())
      .filter((cookie) => cookie !== '')
    if (cookies.length > 0) event.cookies = cookies
  }
  if (parts.rawQueryString !== '') {
    // Repeated keys are comma-joined, as API Gateway does.
    const parameters: Record<string, string> = {}
    for (const [key, values] of Object.entries(queryValues(parts.rawQueryString))) parameters[key] = values.join(',')
    event.queryStringParameters = parameters
  }
  if (parts.pathParameters !== undefined) event.pathParameters = parts.pathParameters
  if (parts.body !== undefined) {
    event.body = parts.body.text
    event.isBase64Encoded = parts.body.isBase64Encoded
  }
  return event
}
