import { type ClientContext, ErrorType } from '@lambdalet/protocol'

/** Lambda's limit on `X-Amz-Client-Context`, counted on the base64 text. */
export const MAX_CLIENT_CONTEXT_BYTES = 3583

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/

export type DecodedClientContext =
  | { ok: true; value: ClientContext }
  | { ok: false; errorType: string; message: string }

/** Decodes the header as Lambda does: base64 of a JSON object. */
export function decodeClientContext(header: string): DecodedClientContext {
  if (header.length > MAX_CLIENT_CONTEXT_BYTES) {
    return {
      ok: false,
      errorType: ErrorType.InvalidParameterValue,
      message: `Client context must be at most ${MAX_CLIENT_CONTEXT_BYTES} bytes, got ${header.length}`,
    }
  }
  // Buffer's decoder skips characters it does not know, so check the alphabet first.
  if (BASE64.test(header)) {
    try {
      const value: unknown = JSON.parse(Buffer.from(header, 'base64').toString('utf8'))
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        return { ok: true, value: value as ClientContext }
      }
    } catch {
      // Falls through to the error below.
    }
  }
  return {
    ok: false,
    errorType: ErrorType.InvalidRequestContent,
    message: 'Client context must be a valid Base64-encoded JSON object.',
  }
}
