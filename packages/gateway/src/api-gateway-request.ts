import type { Context } from 'hono'
import type { Route } from './route-key.js'

/**
 * What both payload formats read from one HTTP request, taken apart once:
 * 2.0 and 1.0 differ only in how they lay these parts out.
 */
export interface RequestParts {
  method: string
  rawPath: string
  rawQueryString: string
  /** Lower-cased names; one value per header line the client sent. */
  headers: Record<string, string[]>
  domainName: string
  domainPrefix: string
  protocol: string
  sourceIp: string
  userAgent: string
  /** The route's `{name}` parameters; `undefined` when it has none. */
  pathParameters: Record<string, string> | undefined
  /** `undefined` for an empty body. */
  body: { text: string; isBase64Encoded: boolean } | undefined
}

/** Content types API Gateway passes as text; anything else arrives base64-encoded. */
const TEXT_CONTENT_TYPE =
  /^(?:text\/|application\/(?:json|xml|javascript|x-www-form-urlencoded|graphql|[\w.-]+\+(?:json|xml))\s*(?:;|$))/i
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

export function readRequestParts(c: Context, route: Route, body: Uint8Array): RequestParts {
  const url = c.req.url
  const hostStart = url.indexOf('//') + 2
  const pathStart = url.indexOf('/', hostStart)
  const hash = url.indexOf('#', pathStart)
  const end = hash === -1 ? url.length : hash
  const query = url.indexOf('?', pathStart)
  const rawPath = query === -1 || query > end ? url.slice(pathStart, end) : url.slice(pathStart, query)
  const rawQueryString = query === -1 || query > end ? '' : url.slice(query + 1, end)

  const headers: Record<string, string[]> = {}
  // A Headers object joins a repeated header with ', ', which API Gateway
  // does not. On @hono/node-server the Node request, with its repeated
  // headers kept apart, is at c.env.incoming.
  const incoming = (c.env as NodeBindings | undefined)?.incoming
  const distinct = incoming?.headersDistinct
  if (distinct !== undefined) {
    for (const [name, values] of Object.entries(distinct)) {
      if (values !== undefined) headers[name] = values
    }
  } else {
    c.req.raw.headers.forEach((value, name) => {
      headers[name] = [value]
    })
  }
  const domainName = headers['host']?.[0] ?? url.slice(hostStart, pathStart)
  const prefixEnd = domainName.search(/[.:]/)
  const forwarded = headers['x-forwarded-for']?.[0]
  let pathParameters: Record<string, string> | undefined
  if (route.paramNames.length > 0) {
    pathParameters = {}
    for (const name of route.paramNames) pathParameters[name] = c.req.param(name) ?? ''
  }
  return {
    method: c.req.method,
    rawPath,
    rawQueryString,
    headers,
    domainName,
    domainPrefix: prefixEnd === -1 ? domainName : domainName.slice(0, prefixEnd),
    protocol: incoming?.httpVersion === undefined ? 'HTTP/1.1' : `HTTP/${incoming.httpVersion}`,
    sourceIp:
      incoming?.socket?.remoteAddress ??
      (forwarded === undefined ? '127.0.0.1' : (forwarded.split(',')[0] as string).trim()),
    userAgent: headers['user-agent']?.join(',') ?? '',
    pathParameters,
    body: body.length === 0 ? undefined : encodeBody(body, headers['content-type']?.[0]),
  }
}

function encodeBody(body: Uint8Array, contentType: string | undefined): { text: string; isBase64Encoded: boolean } {
  const text = decodeText(body, contentType)
  if (text !== undefined) return { text, isBase64Encoded: false }
  return { text: Buffer.from(body.buffer, body.byteOffset, body.length).toString('base64'), isBase64Encoded: true }
}

function decodeText(body: Uint8Array, contentType: string | undefined): string | undefined {
  if (contentType !== undefined && !TEXT_CONTENT_TYPE.test(contentType)) return undefined
  try {
    return utf8.decode(body)
  } catch {
    return undefined
  }
}

/** The query's keys with every value, in order. */
export function queryValues(rawQueryString: string): Record<string, string[]> {
  const parameters: Record<string, string[]> = {}
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    const previous = parameters[key]
    if (previous === undefined) parameters[key] = [value]
    else previous.push(value)
  }
  return parameters
}

/** @hono/node-server puts the Node request in `c.env.incoming`; other servers may not. */
interface NodeBindings {
  incoming?: {
    httpVersion?: string
    socket?: { remoteAddress?: string }
    headersDistinct?: Record<string, string[] | undefined>
  }
}

/** API Gateway's `requestContext.time` / `requestTime`: `12/Mar/2020:19:03:58 +0000`. */
export function apiGatewayTime(epochMs: number): string {
  const d = new Date(epochMs)
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
}
