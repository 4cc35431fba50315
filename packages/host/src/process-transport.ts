import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import { type ErrorShape, ErrorType, type HostMessage } from '@lambdalet/protocol'
import { createRuntimeApi, listenRuntimeApi, type RuntimeApi, type RuntimeApiServer } from '@lambdalet/runtime-api'
import { splitLines } from './line-splitter.js'
import { processLogMessage } from './process-log.js'
import type { Transport, TransportEvents, TransportFactory } from './transport.js'

export interface ChildProcessesSettings {
  /** The executable (absolute, or a name looked up on `env.PATH`) and its arguments. */
  command: [string, ...string[]]
  /** The working directory: the function's code root. */
  cwd: string
  /** The process's whole environment but `AWS_LAMBDA_RUNTIME_API`. */
  env: Record<string, string>
  invokedFunctionArn: string
  /** RSS above this kills the process with `Runtime.OutOfMemory`. */
  memoryMb: number
  /** How often the process's RSS is read; default 100 ms. */
  memoryPollMs?: number
}

const MB = 1024 * 1024

/**
 * Environments in child processes, each running any Lambda runtime client
 * against a Runtime API of its own on 127.0.0.1. Each process leads its own
 * process group, so that a timeout or `destroy()` kills what it started too.
 */
export function childProcesses(settings: ChildProcessesSettings): TransportFactory {
  return {
    start: (events) => new ProcessTransport(settings, events),
    // Nothing is shared between the processes; the pool destroys each one.
    close: () => Promise.resolve(),
  }
}

/**
 * `starting`: its Runtime API is opening or its process spawning.
 * `running`: the process runs. `ended`: it ended by itself (or was killed
 * for its memory), which was reported. `dying`: destroyed, the process not
 * gone yet. `gone`: destroyed and nothing left.
 */
type Phase = 'starting' | 'running' | 'ended' | 'dying' | 'gone'

class ProcessTransport implements Transport {
  #phase: Phase = 'starting'
  #settings: ChildProcessesSettings
  #events: TransportEvents
  #api: RuntimeApi
  #server: RuntimeApiServer | null = null
  #child: ChildProcess | null = null
  #initialised = false
  #maxRssBytes = 0
  /** When the running invocation's event was handed to the Runtime API. */
  #deliveredAt = 0
  #memoryTimer: NodeJS.Timeout | null = null

  constructor(settings: ChildProcessesSettings, events: TransportEvents) {
    this.#settings = settings
    this.#events = events
    this.#api = createRuntimeApi({
      invokedFunctionArn: settings.invokedFunctionArn,
      events: {
        next: () => {
          if (this.#initialised) return
          this.#initialised = true
          this.#sampleMemory()
          this.#forward({ type: 'next', initDurationMs: 0, heapUsedBytes: this.#maxRssBytes })
        },
        // An answer waits one turn of the event loop: what the runtime printed
        // before answering is already in its pipes then, and their lines
        // reach the invocation's Tail before the invocation ends.
        // Duration is the time from handing the event over to its answer, as
        // the Lambda service measures a process's: the host cannot see inside it.
        response: (requestId, body) => {
          const durationMs = performance.now() - this.#deliveredAt
          setImmediate(() =>
            this.#forward({ type: 'response', requestId, body, heapUsedBytes: this.#maxRssBytes, durationMs }),
          )
        },
        error: (requestId, error) => {
          const durationMs = performance.now() - this.#deliveredAt
          setImmediate(() =>
            this.#forward({ type: 'error', requestId, error, heapUsedBytes: this.#maxRssBytes, durationMs }),
          )
        },
        initError: (error) => this.#forward({ type: 'init-error', error, initDurationMs: 0 }),
        // A streaming `/response` becomes the messages a streaming handler in
        // a thread posts, so the host's sinks, cap and deadline apply as they are.
        streamStart: (requestId, contentType) => this.#forward({ type: 'stream-start', requestId, contentType }),
        streamChunk: (requestId, chunk) => this.#forward({ type: 'stream-chunk', requestId, chunk }),
        streamEnd: (requestId) => {
          const durationMs = performance.now() - this.#deliveredAt
          setImmediate(() =>
            this.#forward({ type: 'stream-end', requestId, heapUsedBytes: this.#maxRssBytes, durationMs }),
          )
        },
      },
    })
    listenRuntimeApi(this.#api.app).then(
      (server) => this.#spawn(server),
      (error: unknown) => {
        if (this.#phase !== 'starting') return
        this.#phase = 'ended'
        this.#events.ended({
          errorType: ErrorType.ServiceUnavailable,
          errorMessage: `Error: could not open the Runtime API: ${String(error)}`,
          trace: [],
        })
      },
    )
  }

  send(message: HostMessage): void {
    if (message.type === 'stream-credit') {
      this.#api.credit(message.requestId, message.bytes)
      return
    }
    if (message.type === 'stream-cancel') {
      this.#api.cancel(message.requestId)
      return
    }
    if (message.type !== 'invoke') return
    this.#deliveredAt = performance.now()
    this.#api.deliver(message)
  }

  destroy(): boolean {
    const phase = this.#phase
    if (phase === 'dying' || phase === 'gone') return false
    this.#stop()
    if (this.#alive()) {
      this.#phase = 'dying'
      return true
    }
    this.#phase = 'gone'
    return false
  }

  #spawn(server: RuntimeApiServer): void {
    if (this.#phase !== 'starting') {
      server.close()
      return
    }
    this.#server = server
    const [file, ...args] = this.#settings.command
    const child = spawn(file, args, {
      cwd: this.#settings.cwd,
      env: { ...this.#settings.env, AWS_LAMBDA_RUNTIME_API: server.address },
      // Its own process group: killing -pid ends the runtime and its children.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.#child = child
    child.once('spawn', () => {
      if (this.#phase !== 'starting') return
      this.#phase = 'running'
      this.#watchMemory(child)
      this.#events.started()
    })
    child.once('error', (error: NodeJS.ErrnoException) => {
      // Only a process that never started reports here (ENOENT, EACCES).
      if (this.#phase !== 'starting') return
      this.#phase = 'ended'
      this.#stop()
      this.#events.ended({
        errorType: 'Runtime.InvalidEntrypoint',
        errorMessage: `Error: fork/exec ${file}: ${error.code ?? error.message}`,
        trace: [],
      })
    })
    child.once('exit', (code, signal) => {
      // Its last lines (a crash's stack) may still be in the pipes: wait for
      // them to close, but not for a grandchild that keeps them open.
      const late = setTimeout(() => this.#onExit(code, signal), 100)
      child.once('close', () => {
        clearTimeout(late)
        this.#onExit(code, signal)
      })
    })
    for (const stream of [child.stdout, child.stderr]) {
      if (stream === null) continue
      splitLines(stream, (line) => {
        if (this.#phase === 'running') this.#events.message(processLogMessage(line, this.#api.current))
      })
    }
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const phase = this.#phase
    if (phase === 'dying') {
      this.#phase = 'gone'
      this.#events.exited()
      return
    }
    if (phase !== 'running') return
    this.#phase = 'ended'
    this.#stop()
    const error: ErrorShape = { errorType: ErrorType.ExitError, errorMessage: exitMessage(code, signal), trace: [] }
    // It died holding an event it never took: the handler did not run, so
    // the host may run it on another environment.
    if (this.#api.undelivered !== null) this.#events.message({ type: 'crash', requestId: null, error })
    else this.#events.ended(error)
  }

  /** Its RSS after init, read at once: a short invocation may end before the first poll. */
  #sampleMemory(): void {
    try {
      this.#observeRss(readFileSync(`/proc/${this.#child?.pid}/status`, 'latin1'))
    } catch {
      // No /proc (not Linux), or the process is gone.
    }
  }

  #observeRss(status: string): void {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]
    if (kb === undefined || this.#phase !== 'running') return
    const rss = Number(kb) * 1024
    if (rss > this.#maxRssBytes) this.#maxRssBytes = rss
    if (rss > this.#settings.memoryMb * MB) this.#outOfMemory(rss)
  }

  #watchMemory(child: ChildProcess): void {
    let reading = false
    const timer = setInterval(() => {
      if (reading || child.pid === undefined) return
      reading = true
      readFile(`/proc/${child.pid}/status`, 'latin1').then(
        (status) => {
          reading = false
          this.#observeRss(status)
        },
        // No /proc (not Linux), or the process is gone: nothing to watch.
        () => {
          reading = false
        },
      )
    }, this.#settings.memoryPollMs ?? 100)
    timer.unref()
    this.#memoryTimer = timer
  }

  #outOfMemory(rss: number): void {
    this.#phase = 'ended'
    this.#stop()
    this.#events.ended({
      errorType: ErrorType.OutOfMemory,
      errorMessage: `Error: Runtime exited with error: signal: killed (RSS ${Math.round(rss / MB)} MB over the function's ${this.#settings.memoryMb} MB)`,
      trace: [],
    })
  }

  #forward(message: Parameters<TransportEvents['message']>[0]): void {
    if (this.#phase === 'running') this.#events.message(message)
  }

  /** Closes its Runtime API and kills its process group; idempotent. */
  #stop(): void {
    if (this.#memoryTimer !== null) clearInterval(this.#memoryTimer)
    this.#memoryTimer = null
    this.#server?.close()
    const pid = this.#child?.pid
    if (pid !== undefined && this.#alive()) {
      try {
        process.kill(-pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
  }

  #alive(): boolean {
    const child = this.#child
    return child !== null && child.pid !== undefined && child.exitCode === null && child.signalCode === null
  }
}

/** Lambda's words for how a runtime process ended (Go's `ExitError` text). */
function exitMessage(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal !== null) return `Error: Runtime exited with error: signal: ${signalWords[signal] ?? signal}`
  if (code === 0 || code === null) return 'Error: Runtime exited without providing a reason'
  return `Error: Runtime exited with error: exit status ${code}`
}

const signalWords: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: 'killed',
  SIGTERM: 'terminated',
  SIGSEGV: 'segmentation fault',
  SIGABRT: 'aborted',
  SIGBUS: 'bus error',
  SIGINT: 'interrupt',
  SIGHUP: 'hangup',
}
