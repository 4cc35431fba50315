import { TAIL_LOG_BYTES } from '@lambdalet/protocol'

/**
 * `X-Amz-Log-Result`: base64 of at most the last 4 KB of the log. The host
 * already trims, but the header's size is this module's promise, so it is
 * enforced here too (cutting bytes, as Lambda does, even mid-character).
 */
export function encodeLogResult(log: string): string {
  const bytes = Buffer.from(log, 'utf8')
  const tail = bytes.length > TAIL_LOG_BYTES ? bytes.subarray(bytes.length - TAIL_LOG_BYTES) : bytes
  return tail.toString('base64')
}
