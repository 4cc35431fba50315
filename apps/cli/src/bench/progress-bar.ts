import type { WriteStream } from 'node:tty'

export interface ProgressState {
  label: string
  /** 0 to 1. */
  fraction: number
  detail: string
}

const WIDTH = 24

/**
 * One line on stderr, redrawn every 100 ms, only when stderr is a terminal:
 * piped or captured output gets no escape codes.
 */
export class ProgressBar {
  #stream: WriteStream | null
  #read: (() => ProgressState) | null = null
  #timer: NodeJS.Timeout | null = null

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream.isTTY ? (stream as WriteStream) : null
  }

  /** Shows `read()` until `clear()`. */
  show(read: () => ProgressState): void {
    if (this.#stream === null) return
    this.#read = read
    this.#draw()
    this.#timer ??= setInterval(() => this.#draw(), 100).unref()
  }

  clear(): void {
    if (this.#timer === null) return
    clearInterval(this.#timer)
    this.#timer = null
    this.#read = null
    this.#stream?.write('\r\x1b[2K')
  }

  #draw(): void {
    const stream = this.#stream
    if (stream === null || this.#read === null) return
    const { label, fraction, detail } = this.#read()
    const clamped = Math.min(1, Math.max(0, fraction))
    const filled = Math.round(clamped * WIDTH)
    const bar = `[${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}]`
    const line = `${label} ${bar} ${String(Math.floor(clamped * 100)).padStart(3)}% ${detail}`
    stream.write(`\r\x1b[2K${line.slice(0, Math.max(20, (stream.columns || 80) - 1))}`)
  }
}
