import type { LogLevel, LogMessage } from '@lambdalet/protocol'
import type { Invocation } from './invocation.js'
import { LineWriter } from './line-writer.js'
import {
  endLine,
  functionLine,
  HOST_LOG_LEVELS,
  type HostLogLevel,
  type LogEntry,
  lineRank,
  type Report,
  reportLine,
  startLine,
} from './log-entry.js'

const MB = 1024 * 1024

type PlatformKind = 'start' | 'end' | 'report' | 'platform'

/** What END and REPORT say about one invocation. */
export interface EndFigures {
  durationMs: number
  hostDurationMs: number
  maxHeapBytes: number
  initDurationMs?: number
  status?: Report['status']
}

/**
 * A function's log: Lambda's platform lines around each invocation, the
 * function's own lines, and the per-invocation tail for `LogType: Tail`.
 * The sink gets the lines at or above `level`; the tail gets every line,
 * as Lambda's does. With no sink wanting a line and no tail asked for, it
 * is not formatted at all: the invocation path stays free of string work
 * nobody reads.
 */
export class InvocationLog {
  #functionName: string
  #memoryMb: number
  #sink: ((entry: LogEntry) => void) | null
  /** Set when the lines go straight to a writer (stdout): no entry objects are built then. */
  #lines: LineWriter | null
  /** Which lines the sink wants, decided once from the level: nothing is ranked per line. */
  #sinkWants: Record<PlatformKind, boolean>
  #sinkWantsLevel: Record<LogLevel, boolean>

  /** `output`: a sink that gets every entry, or a writer that gets only the lines. */
  constructor(
    functionName: string,
    memoryMb: number,
    output: ((entry: LogEntry) => void) | LineWriter | null,
    level: HostLogLevel = 'info',
  ) {
    this.#functionName = functionName
    this.#memoryMb = memoryMb
    const silent = output === null || level === 'silent'
    this.#lines = !silent && output instanceof LineWriter ? output : null
    this.#sink = silent ? null : output instanceof LineWriter ? (entry) => output.write(entry.line) : guarded(output)
    const threshold = HOST_LOG_LEVELS.indexOf(level)
    const wants = (line: Parameters<typeof lineRank>[0]): boolean => !silent && lineRank(line) >= threshold
    this.#sinkWants = {
      start: wants({ kind: 'start' }),
      end: wants({ kind: 'end' }),
      report: wants({ kind: 'report' }),
      platform: wants({ kind: 'platform' }),
    }
    this.#sinkWantsLevel = {
      TRACE: wants({ kind: 'function', level: 'TRACE' }),
      DEBUG: wants({ kind: 'function', level: 'DEBUG' }),
      INFO: wants({ kind: 'function', level: 'INFO' }),
      WARN: wants({ kind: 'function', level: 'WARN' }),
      ERROR: wants({ kind: 'function', level: 'ERROR' }),
      FATAL: wants({ kind: 'function', level: 'FATAL' }),
    }
  }

  start(invocation: Invocation): void {
    if (this.#wanted(invocation, 'start')) this.#write(invocation, 'start', startLine(invocation.requestId))
  }

  /** END and REPORT; returns the tail when the caller asked for it. */
  end(invocation: Invocation, figures: EndFigures): string | undefined {
    if (this.#wanted(invocation, 'report')) {
      this.#write(invocation, 'end', endLine(invocation.requestId))
      const report: Report = {
        durationMs: figures.durationMs,
        hostDurationMs: figures.hostDurationMs,
        billedDurationMs: Math.max(1, Math.ceil(figures.durationMs)),
        memorySizeMb: this.#memoryMb,
        maxMemoryUsedMb: Math.max(1, Math.round(figures.maxHeapBytes / MB)),
      }
      if (figures.initDurationMs !== undefined) report.initDurationMs = figures.initDurationMs
      if (figures.status !== undefined) report.status = figures.status
      this.#write(invocation, 'report', reportLine(invocation.requestId, report), report)
    }
    return this.tail(invocation)
  }

  /** A platform line about a failure of one invocation (an init failure, a timeout, a crash). */
  platform(invocation: Invocation | null, line: string): void {
    if (invocation !== null) {
      if (this.#wanted(invocation, 'platform')) this.#write(invocation, 'platform', line)
      return
    }
    if (this.#sinks('platform')) {
      this.#sink?.({ kind: 'platform', functionName: this.#functionName, requestId: null, time: Date.now(), line })
    }
  }

  /** Lines the function logged; `current` is the invocation its environment runs now. */
  function(message: LogMessage, current: Invocation | null): void {
    const tail = current !== null && current.requestId === message.requestId ? current.tail : null
    const sink = this.#sink
    if (sink === null && tail === null) return
    const { requestId } = message
    for (const { time, level, message: text, raw } of message.lines) {
      const wanted = sink !== null && this.#sinkWantsLevel[level]
      if (!wanted && tail === null) continue
      const line = raw === true ? text : functionLine(time, requestId, level, text)
      tail?.push(line)
      if (!wanted) continue
      if (this.#lines !== null) this.#lines.write(line)
      else {
        sink({
          kind: 'function',
          functionName: this.#functionName,
          requestId,
          time,
          level,
          message: text,
          raw: raw === true,
          line,
        })
      }
    }
  }

  /** The last 4 KB of the invocation's log, if it asked for its tail. */
  tail(invocation: Invocation): string | undefined {
    return invocation.tail?.text()
  }

  #sinks(kind: PlatformKind): boolean {
    return this.#sinkWants[kind]
  }

  #wanted(invocation: Invocation, kind: 'start' | 'report' | 'platform'): boolean {
    return invocation.tail !== null || this.#sinks(kind)
  }

  #write(invocation: Invocation, kind: 'start' | 'end' | 'platform', line: string): void
  #write(invocation: Invocation, kind: 'report', line: string, report: Report): void
  #write(invocation: Invocation, kind: LogEntry['kind'], line: string, report?: Report): void {
    invocation.tail?.push(line)
    const sink = this.#sink
    if (sink === null || kind === 'function' || !this.#sinks(kind)) return
    if (this.#lines !== null) return this.#lines.write(line)
    const functionName = this.#functionName
    const requestId = invocation.requestId
    const time = Date.now()
    // Literals of one shape each, not a spread of a shared base: this runs
    // three times per invocation, and a spread copies through a slow path.
    sink(
      kind === 'report'
        ? { kind, functionName, requestId, time, line, report: report! }
        : { kind: kind as 'start' | 'end' | 'platform', functionName, requestId, time, line },
    )
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
