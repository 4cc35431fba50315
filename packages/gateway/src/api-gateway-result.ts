import { ErrorType, isLambdaError, type RawInvokeResult, serviceErrorStatus } from '@lambdalet/protocol'

/** What a handler behind an HTTP API (payload format 2.0) may return. */
export interface HttpApiStructuredResult {
  statusCode: number
  headers?: Record<string, string | number | boolean>
  multiValueHeaders?: Record<string, Array<string | number | boolean>>
  cookies?: string[]
  body?: string
  isBase64Encoded?: boolean
}

export const NULL_BODY_STATUSES = new Set([204, 205, 304])

/**
 * Headers that frame the HTTP message or the connection. API Gateway sets
 * these itself; passed through from a function, a wrong `content-length`
 * would cut the body short, leave the client waiting, or let the body
 * smuggle a second response onto a keep-alive connection.
 */
export const FRAMING_HEADERS = new Set([
  'connection',
  'content-length',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
])

export function jsonResponse(status: number, body: string, requestId: string): Response {
  return new Response(body, {
    status,
    headers: { 'content-type': 'application/json', 'apigw-requestid': requestId },
  })
}

const message = (text: string): string => JSON.stringify({ message: text })
const INTERNAL_SERVER_ERROR = message('Internal Server Error')
export const TIMED_OUT = message('Endpoint request timed out')
const TOO_MANY_REQUESTS = message('Too Many Requests')

/** Maps a function's outcome to the HTTP response API Gateway would send. */
export function httpApiResponse(result: RawInvokeResult, requestId: string): Response {
  if (result.functionError) {
    return result.errorType === ErrorType.Timeout
      ? jsonResponse(504, TIMED_OUT, requestId)
      : jsonResponse(502, INTERNAL_SERVER_ERROR, requestId)
  }
  const payload = result.payload
  // Only an object naming `statusCode` is a structured response; anything
  // else is sent as it is, so most large results are never parsed here.
  if (payload.charCodeAt(0) !== 0x7b || !payload.includes('"statusCode"')) {
    return jsonResponse(200, payload, requestId)
  }
  try {
    const parsed = JSON.parse(payload) as Record<string, unknown>
    if (!('statusCode' in parsed)) return jsonResponse(200, payload, requestId)
    return structuredResponse(parsed, requestId)
  } catch {
    // Lambda proxy results API Gateway cannot turn into HTTP get a 500.
    return jsonResponse(500, INTERNAL_SERVER_ERROR, requestId)
  }
}

function structuredResponse(result: Record<string, unknown>, requestId: string): Response {
  const { statusCode, headers, multiValueHeaders, cookies, body, isBase64Encoded } = result
  if (!isFinalStatus(statusCode)) {
    throw new TypeError(`Invalid statusCode ${String(statusCode)}`)
  }
  const responseHeaders = new Headers()
  if (isRecord(headers)) {
    for (const [name, value] of Object.entries(headers)) {
      if (!FRAMING_HEADERS.has(name.toLowerCase())) responseHeaders.set(name, String(value))
    }
  }
  if (isRecord(multiValueHeaders)) {
    for (const [name, values] of Object.entries(multiValueHeaders)) {
      if (FRAMING_HEADERS.has(name.toLowerCase()) || !Array.isArray(values)) continue
      for (const value of values) responseHeaders.append(name, String(value))
    }
  }
  if (Array.isArray(cookies)) {
    for (const cookie of cookies) responseHeaders.append('set-cookie', String(cookie))
  }
  responseHeaders.set('apigw-requestid', requestId)

  let responseBody: string | Uint8Array | null = null
  if (!NULL_BODY_STATUSES.has(statusCode) && body !== undefined && body !== null) {
    const text = typeof body === 'string' ? body : JSON.stringify(body)
    responseBody = isBase64Encoded === true ? Buffer.from(text, 'base64') : text
  }
  return new Response(responseBody, { status: statusCode, headers: responseHeaders })
}

/** An invocation that did not run: throttled, not found, shutting down… */
export function httpApiErrorResponse(error: unknown, requestId: string): Response {
  if (!isLambdaError(error)) throw error
  const status = error.statusCode ?? serviceErrorStatus(error.errorType)
  if (status === undefined) return jsonResponse(502, INTERNAL_SERVER_ERROR, requestId)
  if (status === 429) return jsonResponse(429, TOO_MANY_REQUESTS, requestId)
  return jsonResponse(status, message(error.errorMessage), requestId)
}

/** 1xx are interim answers, never a final one: a client would wait for more. */
export function isFinalStatus(statusCode: unknown): statusCode is number {
  return typeof statusCode === 'number' && Number.isInteger(statusCode) && statusCode >= 200 && statusCode <= 599
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
