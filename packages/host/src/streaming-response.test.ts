import type { StreamingInvokeResult } from '@lambdalet/protocol'
import { describe, expect, it } from 'vitest'
import { CREDIT_BATCH_BYTES, STREAM_WINDOW_BYTES, StreamingResponse } from './streaming-response.js'

const CHUNK = 64 * 1024

/** A stream started, once the turn in which its window is granted is over. */
async function started() {
  const credits: number[] = []
  const returned: ArrayBuffer[][] = []
  let head: StreamingInvokeResult | undefined
  const response = new StreamingResponse(
    'r1',
    Number.POSITIVE_INFINITY,
    (answer) => {
      head = answer
    },
    () => {},
  )
  const control = {
    credit: (bytes: number, buffers: ArrayBuffer[] = []) => {
      credits.push(bytes)
      returned.push(buffers)
    },
    cancel: () => {},
  }
  response.start('application/octet-stream', control)
  if (head?.streamed !== true || head.release === undefined) throw new Error('the head should be a stream')
  await new Promise((resolve) => setImmediate(resolve))
  return { response, credits, returned, release: head.release, reader: head.body.getReader() }
}

describe('StreamingResponse', () => {
  it('grants the runtime its window before any byte is taken', async () => {
    const { credits } = await started()
    expect(credits).toEqual([STREAM_WINDOW_BYTES])
  })

  it('grants the window only after the turn in which the head is answered, so the head goes out first', async () => {
    const credits: number[] = []
    const head = new Promise<StreamingInvokeResult>((resolve) => {
      const response = new StreamingResponse('r1', Number.POSITIVE_INFINITY, resolve, () => {})
      response.start('text/plain', { credit: (bytes) => credits.push(bytes), cancel: () => {} })
    })
    await head
    const grantedWithHead = [...credits]
    await new Promise((resolve) => setImmediate(resolve))
    expect(grantedWithHead).toEqual([])
    expect(credits).toEqual([STREAM_WINDOW_BYTES])
  })

  it('credits what the reader took in batches, not per chunk', async () => {
    const { response, credits, reader } = await started()
    const chunks = 16
    for (let i = 0; i < chunks; i++) {
      response.chunk(new Uint8Array(CHUNK))
      await reader.read()
    }
    const batches = credits.slice(1)
    expect(batches.length).toBe((chunks * CHUNK) / CREDIT_BATCH_BYTES)
    expect(batches.every((bytes) => bytes === CREDIT_BATCH_BYTES)).toBe(true)
  })

  it('credits nothing past its queue while the reader reads nothing', async () => {
    const { response, credits } = await started()
    for (let i = 0; i < 32; i++) response.chunk(new Uint8Array(CHUNK))
    expect(credits).toEqual([STREAM_WINDOW_BYTES])
  })

  it('hands released chunks back with the next credit, each once', async () => {
    const { response, returned, release, reader } = await started()
    const chunks: Uint8Array[] = []
    for (let i = 0; i < CREDIT_BATCH_BYTES / CHUNK; i++) {
      response.chunk(new Uint8Array(CHUNK))
      const { value } = await reader.read()
      chunks.push(value as Uint8Array)
      release(value as Uint8Array)
      release(value as Uint8Array)
    }
    // The last chunk made the batch whole as it came: its credit carries
    // those released before it, once each though released twice.
    const sent = returned.flat()
    expect(sent).toHaveLength(chunks.length - 1)
    for (const [i, buffer] of sent.entries()) expect(buffer).toBe(chunks[i]?.buffer)
  })

  it('never hands back memory that did not come from the runtime, or after the stream settled', async () => {
    const { response, returned, release, reader } = await started()
    release(new Uint8Array(CHUNK))
    response.chunk(new Uint8Array(CHUNK))
    const { value } = await reader.read()
    response.settled({ requestId: 'r1', executedVersion: '$LATEST', payload: '', functionError: false })
    release(value as Uint8Array)
    for (let i = 0; i < 8; i++) response.chunk(new Uint8Array(CHUNK))
    expect(returned.flat()).toEqual([])
  })
})
