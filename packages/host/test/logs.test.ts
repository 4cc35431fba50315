import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createHost, type LogEntry } from '../src/index.js'
import { closedAfterTest, fixture, rejectionOf, tempDir, testHost } from './helpers.js'

const lines = (logs: LogEntry[], requestId: string) => logs.filter((e) => e.requestId === requestId).map((e) => e.line)

describe('logs', () => {
  it('writes START, the function lines, END and REPORT per invocation', async () => {
    const { host, logs } = testHost({ functions: { logs: { handler: fixture('logs.mjs'), memoryMb: 256 } } })
    const raw = await host.invokeRaw('logs', '{}')
    const own = lines(logs, raw.requestId)
    expect(own[0]).toBe(`START RequestId: ${raw.requestId} Version: $LATEST`)
    expect(own.slice(1, 6).map((line) => line.split('\t').slice(1))).toEqual([
      [raw.requestId, 'INFO', 'log line { n: 1 }'],
      [raw.requestId, 'INFO', 'info line'],
      [raw.requestId, 'WARN', 'warn line'],
      [raw.requestId, 'ERROR', 'error line'],
      [raw.requestId, 'DEBUG', 'debug line'],
    ])
    expect(own[1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t/)
    expect(own[6]).toBe(`END RequestId: ${raw.requestId}`)
    expect(own[7]).toMatch(
      new RegExp(
        `^REPORT RequestId: ${raw.requestId}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\t` +
          `Memory Size: 256 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d\\d ms$`,
      ),
    )
    const report = logs.find((e) => e.kind === 'report' && e.requestId === raw.requestId)
    expect(report).toMatchObject({ kind: 'report', report: { memorySizeMb: 256, initDurationMs: expect.any(Number) } })
    if (report?.kind === 'report') {
      expect(report.report.maxMemoryUsedMb).toBeGreaterThan(1)
      expect(report.report.maxMemoryUsedMb).toBeLessThan(256)
      expect(report.report.billedDurationMs).toBeGreaterThanOrEqual(report.report.durationMs)
    }
    // Warm: no Init Duration.
    const warm = await host.invokeRaw('logs', '{}')
    expect(lines(logs, warm.requestId).at(-1)).not.toContain('Init Duration')
  })

  it('appends the status to REPORT when the invocation failed or timed out', async () => {
    const { host, logs } = testHost({
      functions: {
        errors: { handler: fixture('errors.mjs') },
        slow: { handler: fixture('slow.mjs'), timeoutMs: 200 },
      },
    })
    const failed = await host.invokeRaw('errors', '{"kind":"type-error"}')
    expect(lines(logs, failed.requestId).at(-1)).toMatch(/\tStatus: error$/)
    const timedOut = await host.invokeRaw('slow', '{"spin":true}')
    expect(lines(logs, timedOut.requestId).at(-1)).toMatch(/\tStatus: timeout$/)
  })

  it('returns the last 4 KB of the invocation log with logType Tail', async () => {
    const { host } = testHost({ functions: { logs: { handler: fixture('logs.mjs') } } })
    const short = await host.invokeRaw('logs', '{}', { logType: 'Tail' })
    expect(short.logResult).toContain(`START RequestId: ${short.requestId}`)
    expect(short.logResult).toContain('warn line')
    expect(short.logResult).toContain(`REPORT RequestId: ${short.requestId}`)
    const long = await host.invokeRaw('logs', '{"lines":200}', { logType: 'Tail' })
    expect(Buffer.byteLength(long.logResult!)).toBeLessThanOrEqual(4096)
    expect(long.logResult).not.toContain('START')
    expect(long.logResult).toContain('filler line 199')
    expect(long.logResult!.trimEnd().split('\n').at(-1)).toMatch(/^REPORT/)
    expect((await host.invokeRaw('logs', '{}')).logResult).toBeUndefined()
    const { result, logResult } = (await host.invoke('logs', {}, { logType: 'Tail' })) as {
      result: string
      logResult: string
    }
    expect(result).toBe('logged')
    expect(logResult).toContain('info line')
  })

  it('includes the log tail with a function error', async () => {
    const { host } = testHost({ functions: { errors: { handler: fixture('errors.mjs') } } })
    const error = await rejectionOf(host.invoke('errors', { kind: 'type-error' }, { logType: 'Tail' }))
    expect(error.logResult).toContain('Status: error')
  })
})

describe('a logs sink that throws', () => {
  it('changes no outcome and no limit', async () => {
    const dir = tempDir('lambdalet-sink-')
    const file = join(dir, 'runs.log')
    let reports = 0
    const warnings: string[] = []
    const onWarning = (warning: Error) => warnings.push(warning.message)
    process.on('warning', onWarning)
    onTestFinished(() => {
      process.off('warning', onWarning)
    })
    const host = closedAfterTest(
      createHost({
        functions: { c: { handler: fixture('concurrency.mjs'), maxConcurrency: 1 } },
        logs: (entry) => {
          if (entry.kind === 'report' && reports++ === 0) throw new Error('sink failed')
        },
      }),
    )
    const first = await Promise.all([0, 1, 2].map((id) => host.invoke('c', { id, file: join(dir, 'warmup.log') })))
    expect(first).toEqual([0, 1, 2])
    await Promise.all([3, 4, 5, 6, 7, 8].map((id) => host.invoke('c', { id, file })))
    const lines = readFileSync(file, 'utf8').trim().split('\n')
    let running = 0
    let peak = 0
    for (const line of lines) peak = Math.max(peak, line === 'start' ? ++running : running--)
    expect(peak).toBe(1)
    await new Promise((resolve) => setImmediate(resolve))
    expect(warnings.filter((message) => message.includes('logs sink threw'))).toHaveLength(1)
  })
})
