import type { MessagePort } from 'node:worker_threads'
import type { LogLevel, LogLine, LogMessage } from '@lambdalet/protocol'

/** A batch is sent once it holds this much, without waiting for the end of the turn. */
const BATCH_BYTES = 64 * 1024

/**
 * The function's log lines on their way to the host: batched (one port
 * message per batch, at the end of the turn or every 64 KiB, never one per
 * line: a chatty function would flood the host's thread), tagged with the
 * invocation they belong to, and capped per invocation. Past the budget,
 * lines are dropped and counted, and the invocation's last line says how
 * many.
 */
export class LogBatch {
  #port: MessagePort
  #budgetBytes: number
  #requestId: string | null = null
  #lines: LogLine[] = []
  #batchBytes = 0
  /** Bytes this invocation has sent so far. */
  #usedBytes = 0
  #dropped = 0
  #scheduled = false

  constructor(port: MessagePort, budgetBytes: number) {
    this.#port = port
    this.#budgetBytes = budgetBytes
  }

  get requestId(): string | null {
    return this.#requestId
  }

  /**
   * The budget is spent: every further line of this invocation is dropped,
   * so a caller can skip formatting it.
   */
  get exhausted(): boolean {
    return this.#dropped > 0
  }

  /** Lines from now on belong to `requestId` (null: no invocation runs); each gets its own budget. */
  begin(requestId: string | null): void {
    this.flush()
    this.#requestId = requestId
    this.#usedBytes = 0
    this.#dropped = 0
  }

  add(level: LogLevel, message: string, raw: boolean): void {
    if (this.#dropped > 0) {
      this.#dropped++
      return
    }
    const bytes = Buffer.byteLength(message)
    if (this.#usedBytes + bytes > this.#budgetBytes) {
      this.#dropped = 1
      return
    }
    this.#usedBytes += bytes
    this.#push(raw ? { time: Date.now(), level, message, raw: true } : { time: Date.now(), level, message })
    this.#batchBytes += bytes
    if (this.#batchBytes >= BATCH_BYTES) this.flush()
  }

  /** Counts a line dropped before it was formatted (see `exhausted`). */
  drop(): void {
    this.#dropped++
  }

  /** The invocation's lines are complete: the marker for dropped ones, then everything is sent. */
  end(): void {
    if (this.#dropped > 0) {
      this.#push({
        time: Date.now(),
        level: 'WARN',
        message:
          `lambdalet: dropped ${this.#dropped} log line${this.#dropped === 1 ? '' : 's'}: ` +
          `this invocation logged more than its budget of ${this.#budgetBytes} bytes`,
      })
      this.#dropped = 0
    }
    this.flush()
  }

  flush(): void {
    if (this.#lines.length === 0) return
    const message: LogMessage = { type: 'log', requestId: this.#requestId, lines: this.#lines }
    this.#lines = []
    this.#batchBytes = 0
    this.#port.postMessage(message)
  }

  #push(line: LogLine): void {
    this.#lines.push(line)
    if (this.#scheduled) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      this.flush()
    })
  }
}
