import type { LogLevel, RuntimeConfig } from '@lambdalet/protocol'
import type { LogBatch } from './log-batch.js'
import { levelPriority } from './log-levels.js'

/** A line longer than this without a newline is sent as it is rather than held. */
const MAX_PARTIAL = 256 * 1024

const pinoLevels: Record<string, LogLevel> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
}
const names = new Set<string>(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'])
const levelField = /"level"\s*:\s*(?:"([A-Za-z]+)"|(\d+))/

/** Holds the partial last lines written to `process.stdout` and `process.stderr`. */
export interface StreamCapture {
  /** Sends a partial line still held (at the end of an invocation). */
  flush(): void
}

/**
 * Makes what the function writes to `process.stdout` and `process.stderr`
 * its log lines, as Lambda does: split into lines, tagged with the running
 * invocation, in order with its `console` lines, and sent over the port
 * rather than to the worker's own stdout (which a terminated worker loses,
 * and which would mix into the host's). Loggers that write to the streams,
 * such as pino or Powertools, are captured this way. `write` is replaced as
 * an own property: pino then writes through it instead of to fd 1.
 */
export function captureStreams(batch: LogBatch, config: Pick<RuntimeConfig, 'logFormat' | 'logLevel'>): StreamCapture {
  const stdout = capture(process.stdout, 'INFO', batch, config)
  const stderr = capture(process.stderr, 'ERROR', batch, config)
  return {
    flush() {
      stdout()
      stderr()
    },
  }
}

function capture(
  stream: NodeJS.WriteStream,
  fallback: LogLevel,
  batch: LogBatch,
  config: Pick<RuntimeConfig, 'logFormat' | 'logLevel'>,
): () => void {
  // Lambda filters what a function writes itself only in the JSON format, by its JSON `level` field.
  const threshold = config.logFormat === 'JSON' ? levelPriority[config.logLevel] : 0
  let partial = ''
  const line = (text: string): void => {
    if (batch.exhausted) return batch.drop()
    const end = text.endsWith('\r') ? text.length - 1 : text.length
    const message = end === text.length ? text : text.slice(0, end)
    const level = jsonLevel(message)
    if (level !== undefined && levelPriority[level] < threshold) return
    batch.add(level ?? fallback, message, true)
  }
  stream.write = function write(
    chunk: unknown,
    encoding?: BufferEncoding | ((error?: Error | null) => void),
    callback?: (error?: Error | null) => void,
  ): boolean {
    const done = typeof encoding === 'function' ? encoding : callback
    let text = typeof chunk === 'string' ? chunk : chunkText(chunk)
    let newline = text.indexOf('\n')
    if (newline === -1) {
      partial += text
      if (partial.length > MAX_PARTIAL) {
        line(partial)
        partial = ''
      }
    } else {
      if (partial !== '') {
        text = partial + text
        newline += partial.length
        partial = ''
      }
      let start = 0
      while (newline !== -1) {
        line(text.slice(start, newline))
        start = newline + 1
        newline = text.indexOf('\n', start)
      }
      partial = text.slice(start)
    }
    if (done !== undefined) process.nextTick(done)
    return true
  } as NodeJS.WriteStream['write']
  return () => {
    if (partial === '') return
    line(partial)
    partial = ''
  }
}

function chunkText(chunk: unknown): string {
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString()
  return String(chunk)
}

/** The level of a JSON log line (Lambda's, Powertools', pino's numbers), if it says one. */
function jsonLevel(line: string): LogLevel | undefined {
  if (line.charCodeAt(0) !== 0x7b) return undefined
  const match = levelField.exec(line.length > 1024 ? line.slice(0, 1024) : line)
  if (match === null) return undefined
  if (match[2] !== undefined) return pinoLevels[match[2]]
  const name = (match[1] as string).toUpperCase()
  return names.has(name) ? (name as LogLevel) : name === 'WARNING' ? 'WARN' : undefined
}
