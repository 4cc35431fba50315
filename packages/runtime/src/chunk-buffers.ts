/**
 * The most the buffers kept for reuse may add up to: what the host's
 * window holds in flight (2 MiB) and as much again, so a stream of
 * same-sized writes allocates nothing once it runs.
 */
const MAX_SPARE_BYTES = 4 * 1024 * 1024

/**
 * The buffers an environment's response streams copy their chunks into
 * before transferring them to the host. A new buffer per write, transferred
 * once and dropped, cost the worker a fresh allocation and the host the
 * collection of its memory from another thread (together more than half of
 * a stream's CPU); the host hands buffers back once their bytes went out,
 * and they carry later chunks.
 */
export class ChunkBuffers {
  #spare: ArrayBuffer[] = []
  #spareBytes = 0

  /** Room for `size` bytes: a spare buffer up to twice that size, or a new one. */
  take(size: number): Uint8Array<ArrayBuffer> {
    const spare = this.#spare
    for (let i = spare.length - 1; i >= 0; i--) {
      const buffer = spare[i]!
      // Not a much larger one: the host counts a chunk by its bytes, not
      // its buffer's, so a small write must not pin a big buffer there.
      if (buffer.byteLength >= size && buffer.byteLength <= 2 * size) {
        spare[i] = spare[spare.length - 1]!
        spare.pop()
        this.#spareBytes -= buffer.byteLength
        return new Uint8Array(buffer, 0, size)
      }
    }
    // Not zero-filled: every byte of the chunk is written before it is sent.
    return Buffer.allocUnsafeSlow(size)
  }

  /** Buffers the host handed back; the oldest go once they exceed the bound. */
  give(buffers: readonly ArrayBuffer[]): void {
    for (const buffer of buffers) {
      if (buffer.byteLength > MAX_SPARE_BYTES) continue
      while (this.#spareBytes + buffer.byteLength > MAX_SPARE_BYTES) {
        this.#spareBytes -= this.#spare.shift()!.byteLength
      }
      this.#spare.push(buffer)
      this.#spareBytes += buffer.byteLength
    }
  }

  /** How many buffers are kept for reuse. */
  get size(): number {
    return this.#spare.length
  }
}
