import type { Context } from 'hono'
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

/** Content types API Gateway passes as text; anything else arrives base64-encoded. */
const TEXT_CONTENT_TYPE =
  /^(?:text\/|application\/(?:json|xml|javascript|x-www-form-urlencoded|graphql|[\w.-]+\+(?:json|xml))\s*(?:;|$))/i
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

export interface EventContext {
  accountId: string
  apiId: string
  requestId: string
  now: number
}

export function createHttpApiEvent(c: Context, route: Route, body: Uint8Array, context: EventContext): HttpApiEvent {
  const url = c.req.url
  const hostStart = url.indexOf('//') + 2
  const pathStart = url.indexOf('/', hostStart)
  const hash = url.indexOf('#', pathStart)
  const end = hash === -1 ? url.length : hash
  const query = url.indexOf('?', pathStart)
  const rawPath = query === -1 || query > end ? url.slice(pathStart, end) : url.slice(pathStart, query)
  const rawQueryString = query === -1 || query > end ? '' : url.slice(query + 1, end)

  const headers: Record<string, string> = {}
  let cookieHeader: string | undefined
  // API Gateway joins a repeated header with ','; a Headers object joins it
  // with ', '. On @hono/node-server the Node request, with its repeated
  // headers kept apart, is at c.env.incoming.
  const distinct = (c.env as NodeBindings | undefined)?.incoming?.headersDistinct
  if (distinct !== undefined) {
    for (const [name, values] of Object.entries(distinct)) {
      if (values === undefined) continue
      if (name === 'cookie') cookieHeader = values.join('; ')
      else headers[name] = values.join(',')
    }
  } else {
    // Headers lower-cases names and comma-joins repeated values.
    c.req.raw.headers.forEach((value, name) => {
      if (name === 'cookie') cookieHeader = value
      else headers[name] = value
    })
  }
  const domainName = headers['host'] ?? url.slice(hostStart, pathStart)
  const prefixEnd = domainName.search(/[.:]/)

  const event: HttpApiEvent = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      domainName,
      domainPrefix: prefixEnd === -1 ? domainName : domainName.slice(0, prefixEnd),
      http: {
        method: c.req.method,
        path: rawPath,
        protocol: httpProtocol(c),
        sourceIp: sourceIp(c, headers),
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: context.requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: formatTime(context.now),
      timeEpoch: context.now,
    },
    isBase64Encoded: false,
  }
  if (cookieHeader !== undefined) {
    const cookies = cookieHeader.split(';').map((cookie) => cookie.trim()).filter((cookie) => cookie !== '')
    if (cookies.length > 0) event.cookies = cookies
  }
  if (rawQueryString !== '') event.queryStringParameters = parseQuery(rawQueryString)
  if (route.paramNames.length > 0) {
    const pathParameters: Record<string, string> = {}
    for (const name of route.paramNames) pathParameters[name] = c.req.param(name) ?? ''
    event.pathParameters = pathParameters
  }
  if (body.length > 0) {
    const text = decodeText(body, headers['content-type'])
    if (text === undefined) {
      event.body = Buffer.from(body.buffer, body.byteOffset, body.length).toString('base64')
      event.isBase64Encoded = true
    } else {
      event.body = text
    }
  }
  return event
}

/** Repeated keys are comma-joined, as API Gateway does. */
function parseQuery(rawQueryString: string): Record<string, string> {
  const parameters: Record<string, string> = {}
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    const previous = parameters[key]
    parameters[key] = previous === undefined ? value : `${previous},${value}`
  }
  return parameters
}

function decodeText(body: Uint8Array, contentType: string | undefined): string | undefined {
  if (contentType !== undefined && !TEXT_CONTENT_TYPE.test(contentType)) return undefined
  try {
    return utf8.decode(body)
  } catch {
    return undefined
  }
}

/** @hono/node-server puts the Node request in `c.env.incoming`; other servers may not. */
interface NodeBindings {
  incoming?: {
    httpVersion?: string
    socket?: { remoteAddress?: string }
    headersDistinct?: Record<string, string[] | undefined>
  }
}

function httpProtocol(c: Context): string {
  const version = (c.env as NodeBindings | undefined)?.incoming?.httpVersion
  return version === undefined ? 'HTTP/1.1' : `HTTP/${version}`
}

function sourceIp(c: Context, headers: Record<string, string>): string {
  const address = (c.env as NodeBindings | undefined)?.incoming?.socket?.remoteAddress
  if (address !== undefined) return address
  const forwarded = headers['x-forwarded-for']
  return forwarded === undefined ? '127.0.0.1' : (forwarded.split(',')[0] as string).trim()
}

/** API Gateway's `requestContext.time`: `12/Mar/2020:19:03:58 +0000`. */
function formatTime(epochMs: number): string {
  const d = new Date(epochMs)
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
}
