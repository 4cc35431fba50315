/** What a line writer writes to: `process.stdout`, `process.stderr`, any Writable. */
export interface LineStream {
  write(text: string): boolean
  readonly writableLength: number
}

export interface LineWriterOptions {
  /**
   * Bytes the stream may hold unwritten (a slow consumer behind an
   * asynchronous stream) before lines are dropped and counted rather than
   * queued; default 8 MiB.
   */
  maxPendingBytes?: number
  /** A turn's lines are written at once when they reach this; default 256 KiB. */
  batchBytes?: number
}

/**
 * Log lines written in one `write()` per event-loop turn instead of one per
 * line, in order. On Linux, Node writes to a pipe, a file or a terminal
 * synchronously, so a consumer slower than the lines come blocks the writer
 * (memory stays flat); where the stream is asynchronous and its consumer
 * falls behind by more than `maxPendingBytes`, lines are dropped, and the
 * next line written says how many.
 */
export class LineWriter {
  #stream: LineStream
  #maxPendingBytes: number
  #batchBytes: number
  #lines: string[] = []
  #bytes = 0
  #dropped = 0
  /** Dropped since the last line written, which says so. */
  #unreported = 0
  #scheduled: NodeJS.Immediate | null = null

  constructor(stream: LineStream, options: LineWriterOptions = {}) {
    this.#stream = stream
    this.#maxPendingBytes = options.maxPendingBytes ?? 8 * 1024 * 1024
    this.#batchBytes = options.batchBytes ?? 256 * 1024
  }

  /** Lines dropped so far because the stream did not keep up. */
  get dropped(): number {
    return this.#dropped
  }

  write(line: string): void {
    this.#lines.push(line)
    this.#bytes += line.length
    if (this.#bytes >= this.#batchBytes) {
      this.flush()
      return
    }
    if (this.#scheduled === null) {
      this.#scheduled = setImmediate(() => this.flush())
      // Lines are also flushed at exit: an immediate must not keep a process alive.
      this.#scheduled.unref()
    }
  }

  /** Writes what is held now (before close, exit, a crash). */
  flush(): void {
    if (this.#scheduled !== null) {
      clearImmediate(this.#scheduled)
      this.#scheduled = null
    }
    const lines = this.#lines
    if (lines.length === 0) return
    this.#lines = []
    this.#bytes = 0
    if (this.#stream.writableLength > this.#maxPendingBytes) {
      this.#dropped += lines.length
      this.#unreported += lines.length
      return
    }
    if (this.#unreported > 0) {
      lines.unshift(`lambdalet: ${this.#unreported} log lines dropped: the output did not keep up`)
      this.#unreported = 0
    }
    lines.push('')
    this.#stream.write(lines.join('\n'))
  }
}

let stdout: LineWriter | null = null
let stderr: LineWriter | null = null

/**
 * The process's one writer for stdout (each stream gets one, so that every
 * host in a process writes in one order), flushed when the process exits,
 * a crash exit included.
 */
export function stdoutLines(): LineWriter {
  if (stdout === null) {
    const writer = new LineWriter(process.stdout)
    stdout = writer
    process.once('exit', () => writer.flush())
  }
  return stdout
}

/** The same for stderr. */
export function stderrLines(): LineWriter {
  if (stderr === null) {
    const writer = new LineWriter(process.stderr)
    stderr = writer
    process.once('exit', () => writer.flush())
  }
  return stderr
}
