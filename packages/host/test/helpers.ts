import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, onTestFinished } from 'vitest'
import { createHost, type Host, type HostOptions, type LogEntry } from '../src/index.js'

export const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url))

export function fixture(name: string): string {
  return fixtures + name
}

/** OS threads of this process: worker threads add several each. */
export function osThreads(): number {
  const status = readFileSync('/proc/self/status', 'utf8')
  return Number(/^Threads:\s+(\d+)/m.exec(status)?.[1])
}

/**
 * A host whose log entries (every level) are collected instead of printed,
 * closed when the test ends, whether it passed or not (closing twice is safe).
 */
export function testHost(options: Omit<HostOptions, 'logs'>): { host: Host; logs: LogEntry[] } {
  const logs: LogEntry[] = []
  const host = closedAfterTest(createHost({ ...options, logs: { level: 'debug', sink: (entry) => logs.push(entry) } }))
  return { host, logs }
}

/** Like `testHost`, for a host shared by a whole `describe` block: closed after its last test. */
export function suiteHost(options: Omit<HostOptions, 'logs'>): { host: Host; logs: LogEntry[] } {
  const logs: LogEntry[] = []
  const host = createHost({ ...options, logs: { level: 'debug', sink: (entry) => logs.push(entry) } })
  afterAll(() => host.close())
  return { host, logs }
}

/** Closes `host` when the test ends, so no test leaves threads behind for the next. */
export function closedAfterTest(host: Host): Host {
  onTestFinished(() => host.close())
  return host
}

/** A fresh temporary directory, removed when the test ends. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Rejection of a promise, or a failure if it resolved. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    const value = await promise
    throw new Error(`expected a rejection, got ${JSON.stringify(value)}`)
  } catch (error) {
    return error as Error & Record<string, unknown>
  }
}

export function until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now()
  return new Promise((resolve, reject) => {
    const check = () => {
      if (predicate()) return resolve()
      if (Date.now() - start > timeoutMs) return reject(new Error('condition not met in time'))
      setTimeout(check, 10)
    }
    check()
  })
}
