import type { StreamingInvokeResult } from '@lambdalet/protocol'
import { describe, expect, it } from 'vitest'
import { CREDIT_BATCH_BYTES, STREAM_WINDOW_BYTES, StreamingResponse } from './streaming-response.js'

const CHUNK = 64 * 1024

function started() {
  const credits: number[] = []
  let head: StreamingInvokeResult | undefined
  const response = new StreamingResponse(
    'r1',
    Number.POSITIVE_INFINITY,
    (answer) => {
      head = answer
    },
    () => {},
  )
  response.start('application/octet-stream', { credit: (bytes) => credits.push(bytes), cancel: () => {} })
  if (head?.streamed !== true) throw new Error('the head should be a stream')
  return { response, credits, reader: head.body.getReader() }
}

describe('StreamingResponse', () => {
  it('grants the runtime its window before any byte is taken', () => {
    const { credits } = started()
    expect(credits).toEqual([STREAM_WINDOW_BYTES])
  })

  it('credits what the reader took in batches, not per chunk', async () => {
    const { response, credits, reader } = started()
    const chunks = 16
    for (let i = 0; i < chunks; i++) {
      response.chunk(new Uint8Array(CHUNK))
      await reader.read()
    }
    const batches = credits.slice(1)
    expect(batches.length).toBe((chunks * CHUNK) / CREDIT_BATCH_BYTES)
    expect(batches.every((bytes) => bytes === CREDIT_BATCH_BYTES)).toBe(true)
  })

  it('credits nothing past its queue while the reader reads nothing', () => {
    const { response, credits } = started()
    for (let i = 0; i < 32; i++) response.chunk(new Uint8Array(CHUNK))
    expect(credits).toEqual([STREAM_WINDOW_BYTES])
  })
})
