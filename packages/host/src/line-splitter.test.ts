import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { MAX_LINE_CHARS, splitLines } from './line-splitter.js'

function split(chunks: Array<string | Buffer>): Promise<string[]> {
  const stream = new PassThrough()
  const lines: string[] = []
  splitLines(stream, (line) => lines.push(line))
  return new Promise((resolve) => {
    stream.on('end', () => resolve(lines))
    for (const chunk of chunks) stream.write(chunk)
    stream.end()
  })
}

describe('splitLines', () => {
  it('ends lines at \\n only, keeping the \\r the runtime clients put for a message’s own newlines', async () => {
    expect(await split(['2026\tid\tERROR\tError: x\r    at f (a.js:1)\n', 'next\r\n'])).toEqual([
      '2026\tid\tERROR\tError: x\r    at f (a.js:1)',
      'next',
    ])
  })

  it('joins a line written in pieces, a character split between chunks included', async () => {
    const euro = Buffer.from('€')
    expect(
      await split(['ab', Buffer.concat([Buffer.from('c'), euro.subarray(0, 1)]), euro.subarray(1), 'd\nlast']),
    ).toEqual(['abc€d', 'last'])
  })

  it('passes on a line longer than the bound in pieces instead of holding it', async () => {
    const long = 'x'.repeat(MAX_LINE_CHARS * 2 + 10)
    const lines = await split([long.slice(0, 1000), long.slice(1000), '\n'])
    expect(lines.map((line) => line.length)).toEqual([MAX_LINE_CHARS, MAX_LINE_CHARS, 10])
  })
})
