import { MAX_PAYLOAD_BYTES } from '@lambdalet/protocol'
import { ResponseSizeTooLarge, SerializationError } from './runtime-errors.js'

/**
 * The handler's result as JSON text, with Lambda's semantics: `undefined`
 * is `null`; a value JSON cannot encode (BigInt, a cycle, a bare function)
 * is a `Runtime.SerializationError` that says why, never an empty object.
 */
export function encodeResult(result: unknown): string {
  if (result === undefined) return 'null'
  let body: string | undefined
  try {
    body = JSON.stringify(result)
  } catch (error) {
    throw new SerializationError(`Unable to stringify response body: ${(error as Error).message}`)
  }
  if (body === undefined) {
    throw new SerializationError(`Unable to stringify response body: a ${typeof result} is not JSON`)
  }
  // A UTF-16 code unit is at most 3 UTF-8 bytes: measure only when it could matter.
  if (body.length * 3 > MAX_PAYLOAD_BYTES) {
    const size = Buffer.byteLength(body)
    if (size > MAX_PAYLOAD_BYTES) {
      throw new ResponseSizeTooLarge(
        `Response payload size (${size} bytes) exceeded maximum allowed payload size (${MAX_PAYLOAD_BYTES} bytes).`,
      )
    }
  }
  return body
}
