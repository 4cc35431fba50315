import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { LineWriter } from './line-writer.js'

/** A Writable that records each write; `hold` keeps its writes pending until `release()`. */
function recording(hold = false) {
  const writes: string[] = []
  const held: Array<() => void> = []
  const stream = new Writable({
    decodeStrings: false,
    highWaterMark: 1,
    write(chunk: string, _encoding, callback) {
      writes.push(chunk)
      if (hold) held.push(callback)
      else callback()
    },
  })
  return {
    stream,
    writes,
    release: () => {
      for (const done of held.splice(0)) done()
    },
  }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

describe('LineWriter', () => {
  it('writes the lines of one turn in one write, in order, at the end of the turn', async () => {
    const { stream, writes } = recording()
    const writer = new LineWriter(stream)
    for (let i = 0; i < 100; i++) writer.write(`line ${i}`)
    expect(writes).toEqual([])
    await nextTurn()
    expect(writes).toHaveLength(1)
    expect(writes[0]).toBe(Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join(''))
    writer.write('next turn')
    writer.flush()
    expect(writes[1]).toBe('next turn\n')
  })

  it('writes at once when a turn’s lines reach the batch size', () => {
    const { stream, writes } = recording()
    const writer = new LineWriter(stream, { batchBytes: 100 })
    for (let i = 0; i < 10; i++) writer.write('x'.repeat(30))
    expect(writes.map((w) => w.length)).toEqual([124, 124])
  })

  it('drops lines while a slow consumer holds more than maxPendingBytes, then says how many', async () => {
    const { stream, writes, release } = recording(true)
    const writer = new LineWriter(stream, { maxPendingBytes: 1000 })
    writer.write('x'.repeat(2000))
    writer.flush()
    // Its consumer has not taken the first write: 2,001 bytes are pending.
    expect(stream.writableLength).toBe(2001)
    for (let i = 0; i < 5; i++) writer.write(`dropped ${i}`)
    writer.flush()
    expect(writer.dropped).toBe(5)
    release()
    expect(stream.writableLength).toBe(0)
    writer.write('after')
    writer.flush()
    expect(writes.at(-1)).toBe('lambdalet: 5 log lines dropped: the output did not keep up\nafter\n')
    expect(writes.join('')).not.toContain('dropped 0')
  })
})
