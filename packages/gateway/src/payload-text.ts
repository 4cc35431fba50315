import { ErrorType } from '@lambdalet/protocol'
import type { Context } from 'hono'
import { apiError } from './api-error.js'

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * An Invoke body as the event's JSON text: `{}` when empty, as Lambda
 * treats it, or Lambda's 400 when the bytes are not valid UTF-8 (decoding
 * them would put U+FFFD in the event, which Lambda refuses).
 */
export function payloadText(c: Context, body: Uint8Array): string | Response {
  let text: string
  try {
    text = utf8.decode(body)
  } catch {
    return apiError(
      c,
      400,
      ErrorType.InvalidRequestContent,
      'Could not parse request body into json: the payload is not valid UTF-8',
    )
  }
  return text === '' ? '{}' : text
}
