import { TAIL_LOG_BYTES } from '@lambdalet/protocol'

/**
 * The last 4 KB of an invocation's log, for `LogType: Tail`: a ring of
 * bytes, so a function that logs 100 MB costs 4 KB here, not 100 MB kept
 * until it ends.
 */
export class TailBuffer {
  #ring = Buffer.allocUnsafe(TAIL_LOG_BYTES)
  /** Where the next byte goes. */
  #at = 0
  /** Bytes held, at most the ring's size. */
  #length = 0

  /** Appends `line` and a newline. */
  push(line: string): void {
    this.#append(Buffer.from(line))
    this.#append(newline)
  }

  /** The bytes held, oldest first, as text. */
  text(): string {
    if (this.#length < TAIL_LOG_BYTES) return this.#ring.toString('utf8', 0, this.#length)
    return Buffer.concat([this.#ring.subarray(this.#at), this.#ring.subarray(0, this.#at)]).toString()
  }

  #append(bytes: Buffer): void {
    const size = TAIL_LOG_BYTES
    // Of a chunk larger than the ring only its end can survive.
    const kept = bytes.length > size ? bytes.subarray(bytes.length - size) : bytes
    const first = Math.min(kept.length, size - this.#at)
    kept.copy(this.#ring, this.#at, 0, first)
    if (first < kept.length) kept.copy(this.#ring, 0, first)
    this.#at = (this.#at + kept.length) % size
    this.#length = Math.min(size, this.#length + kept.length)
  }
}

const newline = Buffer.from('\n')
