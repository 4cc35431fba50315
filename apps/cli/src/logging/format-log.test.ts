import type { LogEntry } from '@lambdalet/host'
import { describe, expect, it } from 'vitest'
import { escapeControl, safeJson } from './escape.js'
import { formatEntry, formatGatewayRecord } from './format-log.js'

const time = Date.UTC(2026, 0, 2, 3, 4, 5, 6)
const evil = 'red \u001b[31mtext\nSTART RequestId: forged\r\u0007\u009b\u2028end'

const functionEntry: LogEntry = {
  kind: 'function',
  functionName: 'noisy',
  requestId: 'req-1',
  time,
  level: 'INFO',
  message: evil,
  raw: false,
  line: `2026-01-02T03:04:05.006Z\treq-1\tINFO\t${evil}`,
}

describe('escapeControl', () => {
  it('escapes control characters so text stays on one harmless line', () => {
    expect(escapeControl(evil)).toBe('red \\x1b[31mtext\\nSTART RequestId: forged\\r\\x07\\x9b\\u2028end')
    expect(escapeControl('tab\there')).toBe('tab\\there')
    expect(escapeControl('plain ünïcødé ✓')).toBe('plain ünïcødé ✓')
  })

  it('leaves no C1 control or line separator raw in JSON', () => {
    expect(safeJson({ m: '\u009b\u2028\u007f' })).toBe('{"m":"\\u009b\\u2028\\u007f"}')
  })
})

describe('formatEntry', () => {
  it('prefixes text lines with the function name and escapes the message', () => {
    const line = formatEntry(functionEntry, 'text')
    expect(line).toBe(
      `[noisy] 2026-01-02T03:04:05.006Z\treq-1\tINFO\tred \\x1b[31mtext\\nSTART RequestId: forged\\r\\x07\\x9b\\u2028end`,
    )
    expect(line).not.toMatch(/[\n\r\u001b\u0007]/)
  })

  it('keeps the tabs inside a function’s message, as Lambda’s Invoke Error line has them', () => {
    const line = '2026-01-02T03:04:05.006Z\treq-1\tERROR\tInvoke Error \t{"errorType":"Error"}'
    const entry: LogEntry = { ...functionEntry, level: 'ERROR', message: 'Invoke Error \t{"errorType":"Error"}', line }
    expect(formatEntry(entry, 'text')).toBe(`[noisy] ${line}`)
  })

  it('escapes a raw line the function wrote itself, as it wrote it', () => {
    const raw: LogEntry = { ...functionEntry, raw: true, message: '{"level":30}\u001b', line: '{"level":30}\u001b' }
    expect(formatEntry(raw, 'text')).toBe('[noisy] {"level":30}\\x1b')
    expect(JSON.parse(formatEntry(raw, 'json'))).toMatchObject({ kind: 'function', message: '{"level":30}\u001b' })
  })

  it('keeps the tabs of a REPORT line', () => {
    const report: LogEntry = {
      kind: 'report',
      functionName: 'hello',
      requestId: 'req-2',
      time,
      line: 'REPORT RequestId: req-2\tDuration: 1.00 ms',
      report: { durationMs: 1, hostDurationMs: 1.5, billedDurationMs: 1, memorySizeMb: 128, maxMemoryUsedMb: 40 },
    }
    expect(formatEntry(report, 'text')).toBe('[hello] REPORT RequestId: req-2\tDuration: 1.00 ms')
    expect(JSON.parse(formatEntry(report, 'json'))).toEqual({
      time: '2026-01-02T03:04:05.006Z',
      level: 'INFO',
      functionName: 'hello',
      requestId: 'req-2',
      kind: 'report',
      message: 'REPORT RequestId: req-2\tDuration: 1.00 ms',
      durationMs: 1,
      hostDurationMs: 1.5,
      billedDurationMs: 1,
      memorySizeMb: 128,
      maxMemoryUsedMb: 40,
    })
  })

  it('writes a JSON line that parses back to the original message', () => {
    const line = formatEntry(functionEntry, 'json')
    expect(line).not.toMatch(/[\n\r\u001b\u0007\u009b\u2028]/)
    expect(JSON.parse(line)).toMatchObject({
      level: 'INFO',
      functionName: 'noisy',
      requestId: 'req-1',
      kind: 'function',
      message: evil,
    })
  })
})

describe('formatGatewayRecord', () => {
  it('escapes the record’s fields in text', () => {
    const line = formatGatewayRecord(
      { level: 'error', message: 'Event invocation failed', functionName: 'f', errorType: 'x\ny' },
      'text',
    )
    expect(line).toBe('[gateway] ERROR Event invocation failed functionName=f errorType=x\\ny')
  })
})
