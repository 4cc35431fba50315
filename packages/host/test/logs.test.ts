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

  it('reports a no-op’s Duration as its runtime measured it, below 1 ms under 200 concurrent invocations', async () => {
    const { host, logs } = testHost({ functions: { echo: { handler: fixture('echo-value.mjs'), maxConcurrency: 2 } } })
    let started = 0
    await Promise.all(
      Array.from({ length: 200 }, async () => {
        while (started++ < 5000) await host.invokeRaw('echo', '1')
      }),
    )
    const reports = logs.flatMap((entry) => (entry.kind === 'report' ? [entry.report] : []))
    expect(reports).toHaveLength(5000)
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length
    expect(mean(reports.map((r) => r.durationMs))).toBeLessThan(1)
    // The host's figure includes the hop to the worker and the wait on the
    // host's thread: never less than the runtime's.
    for (const report of reports) expect(report.hostDurationMs).toBeGreaterThanOrEqual(report.durationMs)
    expect(mean(reports.map((r) => r.hostDurationMs))).toBeGreaterThan(mean(reports.map((r) => r.durationMs)))
  })

  it('includes the log tail with a function error', async () => {
    const { host } = testHost({ functions: { errors: { handler: fixture('errors.mjs') } } })
    const error = await rejectionOf(host.invoke('errors', { kind: 'type-error' }, { logType: 'Tail' }))
    expect(error.logResult).toContain('Status: error')
  })
})

describe('Lambda’s advanced logging controls in a function’s env', () => {
  it('writes JSON lines with AWS_LAMBDA_LOG_FORMAT=JSON, dropping console calls below AWS_LAMBDA_LOG_LEVEL', async () => {
    const { host, logs } = testHost({
      functions: {
        json: { handler: fixture('logs.mjs'), env: { AWS_LAMBDA_LOG_FORMAT: 'JSON' } },
        warn: { handler: fixture('logs.mjs'), env: { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'WARN' } },
      },
    })
    const functionLines = (requestId: string) =>
      logs.flatMap((entry) => (entry.kind === 'function' && entry.requestId === requestId ? [entry] : []))
    const json = await host.invokeRaw('json', '{}')
    const records = functionLines(json.requestId).map((entry) => JSON.parse(entry.line) as Record<string, unknown>)
    // INFO by default with JSON, as Lambda's: the console.debug line is gone.
    expect(records.map((r) => [r['level'], r['message']])).toEqual([
      ['INFO', 'log line { n: 1 }'],
      ['INFO', 'info line'],
      ['WARN', 'warn line'],
      ['ERROR', 'error line'],
    ])
    expect(records[0]).toMatchObject({ requestId: json.requestId, timestamp: expect.any(String) })
    const warn = await host.invokeRaw('warn', '{}')
    expect(functionLines(warn.requestId).map((entry) => entry.level)).toEqual(['WARN', 'ERROR'])
  })
})

describe('logs.level', () => {
  function leveled(level: 'debug' | 'info' | 'warn' | 'error' | 'silent') {
    const logs: LogEntry[] = []
    const host = closedAfterTest(
      createHost({
        functions: {
          logs: { handler: fixture('logs.mjs') },
          errors: { handler: fixture('errors.mjs') },
          slow: { handler: fixture('slow.mjs'), timeoutMs: 300 },
        },
        logs: { level, sink: (entry) => logs.push(entry) },
      }),
    )
    return { host, logs }
  }
  const describeEntry = (entry: LogEntry): string =>
    (entry.kind === 'function' ? `${entry.level} ${entry.message.split('\t')[0]}` : entry.line.split(' ')[0]) ?? ''

  it('drops START / END / REPORT at error, keeping function errors and the host’s line for a timeout', async () => {
    const { host, logs } = leveled('error')
    await host.invokeRaw('logs', '{}')
    const failed = await host.invokeRaw('errors', '{"kind":"type-error"}')
    const timedOut = await host.invokeRaw('slow', '{"spin":true}')
    expect(logs.map(describeEntry)).toEqual(['ERROR error line', 'ERROR Invoke Error ', expect.any(String)])
    expect(logs[1]).toMatchObject({ requestId: failed.requestId, functionName: 'errors' })
    expect(JSON.parse(logs[1]!.line.split('\t').at(-1)!)).toMatchObject({ errorType: 'TypeError' })
    expect(logs[2]).toMatchObject({ kind: 'platform', requestId: timedOut.requestId })
    expect(logs[2]!.line).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \S+ Task timed out after 0\.30 seconds$/)
  })

  it('keeps warnings and errors at warn, everything but debug lines at info (the default), all at debug', async () => {
    const counts: Record<string, string[]> = {}
    for (const level of ['warn', 'info', 'debug'] as const) {
      const { host, logs } = leveled(level)
      await host.invokeRaw('logs', '{}')
      counts[level] = logs.map(describeEntry)
      await host.close()
    }
    expect(counts['warn']).toEqual(['WARN warn line', 'ERROR error line'])
    expect(counts['info']).toEqual([
      'START',
      'INFO log line { n: 1 }',
      'INFO info line',
      'WARN warn line',
      'ERROR error line',
      'END',
      'REPORT',
    ])
    expect(counts['debug']).toEqual([...counts['info']!.slice(0, 5), 'DEBUG debug line', 'END', 'REPORT'])
  })

  it('writes nothing at silent, and still returns the whole tail', async () => {
    const { host, logs } = leveled('silent')
    const raw = await host.invokeRaw('logs', '{}', { logType: 'Tail' })
    expect(logs).toEqual([])
    expect(raw.logResult).toContain('DEBUG\tdebug line')
    expect(raw.logResult).toContain(`REPORT RequestId: ${raw.requestId}`)
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
