import { describe, expect, it } from 'vitest'
import { processLogMessage } from './process-log.js'

describe('processLogMessage', () => {
  it('keeps the request id, level and time of a line the official client tagged, newlines restored', () => {
    const line = '2026-12-02T01:50:50.591Z\tacc4ba87-3e10-4e1d-8cc4-d5b6914e557b\tWARN\tfirst\rsecond'
    expect(processLogMessage(line, 'other')).toEqual({
      type: 'log',
      requestId: 'acc4ba87-3e10-4e1d-8cc4-d5b6914e557b',
      lines: [{ level: 'WARN', message: 'first\nsecond', time: Date.parse('2026-12-02T01:50:50.591Z') }],
    })
  })

  it('gives a line tagged outside an invocation (`-`) and an untagged line to the current invocation', () => {
    expect(processLogMessage('2026-12-02T01:50:50.591Z\t-\tERROR\tInit Error', 'req-1')).toMatchObject({
      requestId: 'req-1',
      lines: [{ level: 'ERROR', message: 'Init Error' }],
    })
    expect(processLogMessage('{"hi":1}', 'req-2')).toMatchObject({
      requestId: 'req-2',
      lines: [{ level: 'INFO', message: '{"hi":1}' }],
    })
    expect(processLogMessage('plain echo', null)).toMatchObject({ requestId: null, lines: [{ message: 'plain echo' }] })
  })

  it('reads the JSON log format, keeping the whole line as the message', () => {
    const line = '{"timestamp":"2026-12-02T01:50:50.591Z","level":"DEBUG","requestId":"req-9","message":"m"}'
    expect(processLogMessage(line, 'req-1')).toEqual({
      type: 'log',
      requestId: 'req-9',
      lines: [{ level: 'DEBUG', message: line, time: Date.parse('2026-12-02T01:50:50.591Z') }],
    })
  })
})
