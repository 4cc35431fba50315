import { type LogMessage, TAIL_LOG_BYTES } from '@lambdalet/protocol'
import type { Invocation } from './invocation.js'
import { endLine, functionLine, type LogEntry, type Report, reportLine, startLine } from './log-entry.js'

const MB = 1024 * 1024

/**
 * A function's log: Lambda's platform lines around each invocation, the
 * function's own lines, and the per-invocation tail for `LogType: Tail`.
 * With no sink and no tail asked for, nothing is formatted at all: the
 * invocation path stays free of string work nobody reads.
 */
export class InvocationLog {
  #functionName: string
  #memoryMb: number
  #sink: ((entry: LogEntry) => void) | null

  constructor(functionName: string, memoryMb: number, sink: ((entry: LogEntry) => void) | null) {
    this.#functionName = functionName
    this.#memoryMb = memoryMb
    this.#sink = sink === null ? null : guarded(sink)
  }

  start(invocation: Invocation): void {
    if (this.#wanted(invocation)) this.#write(invocation, 'start', startLine(invocation.requestId))
  }

  /** END and REPORT; returns the tail when the caller asked for it. */
  end(
    invocation: Invocation,
    figures: { durationMs: number; maxHeapBytes: number; initDurationMs?: number; status?: Report['status'] },
  ): string | undefined {
    if (!this.#wanted(invocation)) return undefined
    this.#write(invocation, 'end', endLine(invocation.requestId))
    const report: Report = {
      durationMs: figures.durationMs,
      billedDurationMs: Math.max(1, Math.ceil(figures.durationMs)),
      memorySizeMb: this.#memoryMb,
      maxMemoryUsedMb: Math.max(1, Math.round(figures.maxHeapBytes / MB)),
    }
    if (figures.initDurationMs !== undefined) report.initDurationMs = figures.initDurationMs
    if (figures.status !== undefined) report.status = figures.status
    this.#write(invocation, 'report', reportLine(invocation.requestId, report), report)
    return this.tail(invocation)
  }

  /** A platform line about one invocation (an init failure, say). */
  platform(invocation: Invocation | null, line: string): void {
    if (invocation !== null) {
      if (this.#wanted(invocation)) this.#write(invocation, 'platform', line)
      return
    }
    this.#sink?.({ kind: 'platform', functionName: this.#functionName, requestId: null, time: Date.now(), line })
  }

  /** A line the function logged; `current` is the invocation its environment runs now. */
  function(message: LogMessage, current: Invocation | null): void {
    const tail = current !== null && current.requestId === message.requestId ? current.tail : null
    const sink = this.#sink
    if (sink === null && tail === null) return
    const line = functionLine(message.time, message.requestId, message.level, message.message)
    tail?.push(line)
    sink?.({
      kind: 'function',
      functionName: this.#functionName,
      requestId: message.requestId,
      time: message.time,
      level: message.level,
      message: message.message,
      line,
    })
  }

  /** The last 4 KB of the invocation's log, if it asked for its tail. */
  tail(invocation: Invocation): string | undefined {
    if (invocation.tail === null) return undefined
    const text = invocation.tail.join('\n') + '\n'
    const bytes = Buffer.from(text)
    return bytes.length <= TAIL_LOG_BYTES ? text : bytes.subarray(bytes.length - TAIL_LOG_BYTES).toString()
  }

  #wanted(invocation: Invocation): boolean {
    return this.#sink !== null || invocation.tail !== null
  }

  #write(invocation: Invocation, kind: 'start' | 'end' | 'platform', line: string): void
  #write(invocation: Invocation, kind: 'report', line: string, report: Report): void
  #write(invocation: Invocation, kind: LogEntry['kind'], line: string, report?: Report): void {
    invocation.tail?.push(line)
    const sink = this.#sink
    if (sink === null) return
    const base = { functionName: this.#functionName, requestId: invocation.requestId, time: Date.now(), line }
    sink(kind === 'report' ? { ...base, kind, report: report! } : ({ ...base, kind } as LogEntry))
  }
}

/**
 * A sink that throws must not change an invocation's outcome (or leave the
 * host's bookkeeping half done): its errors are reported once, as a process
 * warning, and otherwise ignored.
 */
function guarded(sink: (entry: LogEntry) => void): (entry: LogEntry) => void {
  let warned = false
  return function logSink(entry) {
    try {
      sink(entry)
    } catch (error) {
      if (warned) return
      warned = true
      process.emitWarning(`lambdalet: the logs sink threw (${String(error)}); its errors are ignored`)
    }
  }
}
