/**
 * How a pull loop waits for its function to have room: until one of its own
 * runs ends (`notify`), or a moment passes, since room can also free up from
 * callers the loop does not see (synchronous invocations, other loops).
 */
export class RoomSignal {
  readonly #pollMs: number
  #wake: (() => void) | null = null

  constructor(pollMs: number) {
    this.#pollMs = pollMs
  }

  wait(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.#pollMs)
      function done(): void {
        clearTimeout(timer)
        resolve()
      }
      this.#wake = () => {
        this.#wake = null
        done()
      }
    })
  }

  notify(): void {
    this.#wake?.()
  }
}
