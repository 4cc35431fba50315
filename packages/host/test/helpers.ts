import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
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

/** A host whose log entries are collected instead of printed. */
export function testHost(options: Omit<HostOptions, 'logs'>): { host: Host; logs: LogEntry[] } {
  const logs: LogEntry[] = []
  const host = createHost({ ...options, logs: (entry) => logs.push(entry) })
  return { host, logs }
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
