import { describe, expect, it } from 'vitest'
import { ChunkBuffers } from './chunk-buffers.js'

const KIB = 1024

describe('ChunkBuffers', () => {
  it('carries a chunk in a buffer handed back, when it fits', () => {
    const buffers = new ChunkBuffers()
    const spare = new ArrayBuffer(64 * KIB)
    buffers.give([spare])
    const chunk = buffers.take(60 * KIB)
    expect(chunk.buffer).toBe(spare)
    expect(chunk.byteLength).toBe(60 * KIB)
    expect(buffers.size).toBe(0)
  })

  it('takes a new buffer for a chunk larger than any spare, or much smaller', () => {
    const buffers = new ChunkBuffers()
    const spare = new ArrayBuffer(64 * KIB)
    buffers.give([spare])
    expect(buffers.take(65 * KIB).buffer).not.toBe(spare)
    expect(buffers.take(16 * KIB).buffer).not.toBe(spare)
    expect(buffers.size).toBe(1)
  })

  it('keeps at most 4 MiB of spares, dropping the oldest', () => {
    const buffers = new ChunkBuffers()
    const spares = Array.from({ length: 80 }, () => new ArrayBuffer(64 * KIB))
    buffers.give(spares)
    expect(buffers.size).toBe(64)
    const taken = Array.from({ length: 64 }, () => buffers.take(64 * KIB).buffer)
    expect(new Set(taken)).toEqual(new Set(spares.slice(16)))
  })
})
