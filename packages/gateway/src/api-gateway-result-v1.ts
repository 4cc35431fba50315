import { ErrorType, type RawInvokeResult } from '@lambdalet/protocol'
import {
  FRAMING_HEADERS,
  isFinalStatus,
  isRecord,
  jsonResponse,
  NULL_BODY_STATUSES,
  TIMED_OUT,
} from './api-gateway-result.js'

/** What a handler behind a payload format 1.0 integration must return. */
export interface ProxyResultV1 {
  statusCode: number
  headers?: Record<string, string | number | boolean>
  multiValueHeaders?: Record<string, Array<string | number | boolean>>
  body?: string | null
  isBase64Encoded?: boolean
}

/** API Gateway's answer to a function error or a malformed proxy response (note the lower-case "server error"). */
const INTERNAL_SERVER_ERROR = JSON.stringify({ message: 'Internal server error' })

export type ProxyResponseV1 =
  | { ok: true; response: Response }
  /** `reason` says what is wrong, for the server's log: the client only sees 502. */
  | { ok: false; response: Response; reason: string }

/**
 * Maps a function's outcome to the HTTP response API Gateway sends for
 * payload format 1.0. Unlike 2.0 nothing is inferred: a result that is not
 * an object with a `statusCode` is a malformed proxy response (502).
 */
export function proxyResponseV1(result: RawInvokeResult, requestId: string): ProxyResponseV1 {
  if (result.functionError) {
    const status = result.errorType === ErrorType.Timeout ? 504 : 502
    return { ok: true, response: jsonResponse(status, status === 504 ? TIMED_OUT : INTERNAL_SERVER_ERROR, requestId) }
  }
  let reason: string
  try {
    const value: unknown = JSON.parse(result.payload)
    const problem = malformation(value)
    if (problem === null) return { ok: true, response: buildResponse(value as ProxyResultV1, requestId) }
    reason = problem
  } catch (error) {
    // Headers refuses names and values HTTP cannot carry.
    reason = (error as Error).message
  }
  return { ok: false, response: jsonResponse(502, INTERNAL_SERVER_ERROR, requestId), reason }
}

/** `null` when `value` is a 1.0 proxy result API Gateway can send, else why not. */
function malformation(value: unknown): string | null {
  if (!isRecord(value)) return `expected an object with a statusCode, got ${describe(value)}`
  const { statusCode, headers, multiValueHeaders, body, isBase64Encoded } = value
  if (!isFinalStatus(statusCode))
    return `expected statusCode to be an integer from 200 to 599, got ${describe(statusCode)}`
  if (headers !== undefined && headers !== null) {
    if (!isRecord(headers)) return `expected headers to be an object, got ${describe(headers)}`
    for (const [name, header] of Object.entries(headers)) {
      if (!isScalar(header)) return `expected headers.${name} to be a string, got ${describe(header)}`
    }
  }
  if (multiValueHeaders !== undefined && multiValueHeaders !== null) {
    if (!isRecord(multiValueHeaders))
      return `expected multiValueHeaders to be an object, got ${describe(multiValueHeaders)}`
    for (const [name, values] of Object.entries(multiValueHeaders)) {
      if (!Array.isArray(values) || !values.every(isScalar)) {
        return `expected multiValueHeaders.${name} to be an array of strings, got ${describe(values)}`
      }
    }
  }
  // 2.0 stringifies an object body; 1.0 does not.
  if (body !== undefined && body !== null && typeof body !== 'string') {
    return `expected body to be a string, got ${describe(body)}`
  }
  if (isBase64Encoded !== undefined && typeof isBase64Encoded !== 'boolean') {
    return `expected isBase64Encoded to be a boolean, got ${describe(isBase64Encoded)}`
  }
  return null
}

function buildResponse(result: ProxyResultV1, requestId: string): Response {
  const responseHeaders = new Headers()
  // API Gateway merges the two; for a name in both, only multiValueHeaders counts.
  const multi = new Set(Object.keys(result.multiValueHeaders ?? {}).map((name) => name.toLowerCase()))
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    const lower = name.toLowerCase()
    if (!FRAMING_HEADERS.has(lower) && !multi.has(lower)) responseHeaders.set(name, String(value))
  }
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    if (FRAMING_HEADERS.has(name.toLowerCase())) continue
    for (const value of values) responseHeaders.append(name, String(value))
  }
  responseHeaders.set('apigw-requestid', requestId)
  const { statusCode, body } = result
  let responseBody: string | Uint8Array | null = null
  if (!NULL_BODY_STATUSES.has(statusCode) && typeof body === 'string') {
    responseBody = result.isBase64Encoded === true ? Buffer.from(body, 'base64') : body
  }
  return new Response(responseBody, { status: statusCode, headers: responseHeaders })
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  const text = JSON.stringify(value)
  return text.length > 60 ? `${text.slice(0, 60)}…` : text
}
