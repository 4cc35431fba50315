import { crc32 } from 'node:zlib'

/**
 * One message of `application/vnd.amazon.eventstream`, the framing of
 * `InvokeWithResponseStream`: total length and headers length (u32 BE),
 * the CRC32 of those 8 bytes, the headers (name length u8, name, type 7 =
 * string, value length u16 BE, value), the payload, and the CRC32 of all
 * that. The AWS SDK checks both CRCs.
 */
export function eventMessage(eventType: string, contentType: string, payload: Uint8Array): Uint8Array {
  const headers = encodeHeaders([
    [':event-type', eventType],
    [':message-type', 'event'],
    [':content-type', contentType],
  ])
  const total = 12 + headers.byteLength + payload.byteLength + 4
  const message = Buffer.allocUnsafe(total)
  message.writeUInt32BE(total, 0)
  message.writeUInt32BE(headers.byteLength, 4)
  message.writeUInt32BE(crc32(message.subarray(0, 8)), 8)
  headers.copy(message, 12)
  message.set(payload, 12 + headers.byteLength)
  message.writeUInt32BE(crc32(message.subarray(0, total - 4)), total - 4)
  return message
}

function encodeHeaders(headers: ReadonlyArray<readonly [string, string]>): Buffer {
  const parts: Buffer[] = []
  for (const [name, value] of headers) {
    const nameBytes = Buffer.from(name)
    const valueBytes = Buffer.from(value)
    const header = Buffer.allocUnsafe(1 + nameBytes.byteLength + 3 + valueBytes.byteLength)
    header.writeUInt8(nameBytes.byteLength, 0)
    nameBytes.copy(header, 1)
    const offset = 1 + nameBytes.byteLength
    header.writeUInt8(7, offset)
    header.writeUInt16BE(valueBytes.byteLength, offset + 1)
    valueBytes.copy(header, offset + 3)
    parts.push(header)
  }
  return Buffer.concat(parts)
}

/** A `PayloadChunk` event: bytes of the function's response. */
export function payloadChunk(bytes: Uint8Array): Uint8Array {
  return eventMessage('PayloadChunk', 'application/octet-stream', bytes)
}

/** The `InvokeComplete` event that ends the stream, with the error and the log tail if any. */
export function invokeComplete(fields: { ErrorCode?: string; ErrorDetails?: string; LogResult?: string }): Uint8Array {
  return eventMessage('InvokeComplete', 'application/json', Buffer.from(JSON.stringify(fields)))
}
