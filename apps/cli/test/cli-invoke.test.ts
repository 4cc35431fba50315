import { describe, expect, it } from 'vitest'
import { runCli } from './helpers.js'

// The CLI runs with test/fixtures as its current folder, so `.` is the functions folder.
describe('lambdalet invoke', () => {
  it('prints the result on stdout and the REPORT line on stderr', async () => {
    const result = await runCli(['invoke', 'hello', '.', '--event', '{"name":"CLI"}'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({ message: 'Hello, CLI!', functionName: 'hello' })
    expect(result.stderr).toMatch(/^\[hello\] START RequestId: \S+ Version: \$LATEST$/m)
    expect(result.stderr).toMatch(/^\[hello\] \S+\t\S+\tINFO\thello from the fixture$/m)
    expect(result.stderr).toMatch(/^\[hello\] REPORT RequestId: \S+\tDuration: [\d.]+ ms\t.*Init Duration: /m)
  })

  it('reads the event from stdin', async () => {
    const result = await runCli(['invoke', 'hello', '--event-file', '-'], '{"name":"stdin"}')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ message: 'Hello, stdin!' })
  })

  it('exits with 1 and prints the error JSON when the function fails', async () => {
    const result = await runCli(['invoke', 'fail'])
    expect(result.code).toBe(1)
    expect(JSON.parse(result.stdout)).toMatchObject({ errorType: 'TypeError', errorMessage: 'boom' })
    expect(result.stderr).toMatch(/REPORT RequestId: .*\tStatus: error/)
  })

  it('rejects an event that is not JSON and an unknown function with code 2', async () => {
    const badEvent = await runCli(['invoke', 'hello', '--event', '{nope'])
    expect(badEvent.code).toBe(2)
    expect(badEvent.stderr).toContain('not valid JSON')
    const unknown = await runCli(['invoke', 'missing'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/no function named "missing" \(found: .*hello/)
  })

  it('escapes control characters from function output in text logs', async () => {
    const result = await runCli(['invoke', 'noisy'])
    expect(result.code).toBe(0)
    expect(result.stderr).not.toMatch(/[\u001b\u0007\r]/)
    expect(result.stderr).toContain('red \\x1b[31mtext\\x1b[0m\\nSTART RequestId: forged Version: $LATEST\\r\\x07')
    // The forged START never begins a line of its own.
    expect(result.stderr.split('\n').filter((line) => line.includes('START RequestId:'))).toHaveLength(2)
  })

  it('writes one JSON object per line with --log-format json', async () => {
    const result = await runCli(['invoke', 'noisy', '--log-format', 'json'])
    expect(result.code).toBe(0)
    const records = result.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(records.map((record) => record['kind'])).toEqual(['start', 'function', 'end', 'report'])
    expect(records[1]).toMatchObject({
      level: 'INFO',
      functionName: 'noisy',
      message: expect.stringContaining('\u001b[31m'),
    })
    expect(records[3]).toMatchObject({
      kind: 'report',
      durationMs: expect.any(Number),
      maxMemoryUsedMb: expect.any(Number),
    })
    for (const record of records) expect(record).toHaveProperty('time')
  })
})
