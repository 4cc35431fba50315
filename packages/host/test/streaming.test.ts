import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { CREDIT_BATCH_BYTES, STREAM_WINDOW_BYTES } from '../src/streaming-response.js'
import { fixture, rejectionOf, testHost, until } from './helpers.js'

const decoder = new TextDecoder()

function streamingHost(exportName: string, settings: Record<string, unknown> = {}) {
  return testHost({
    functions: { fn: { handler: `${fixture('streaming.mjs')}#${exportName}`, ...settings } },
  })
}

/** A channel to steer the fixture's handler with, closed when the test ends. */
function steering() {
  const name = `stream-${randomUUID()}`
  const channel = new BroadcastChannel(name)
  const messages: unknown[] = []
  channel.onmessage = (message: MessageEvent) => void messages.push(message.data)
  return { name, channel, messages, close: () => channel.close() }
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<string> {
  let text = ''
  for await (const chunk of body) text += decoder.decode(chunk)
  return text
}

describe('response streaming, embedded', () => {
  it('hands the reader each chunk before the handler writes the next', async () => {
    const { host } = streamingHost('stepped')
    const signal = steering()
    try {
      const response = await host.invokeStream('fn', { channel: signal.name, chunks: ['one', 'two', 'three'] })
      expect(response).toMatchObject({ streamed: true, contentType: 'text/plain' })
      const reader = response.body.getReader()
      const seen: string[] = []
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        seen.push(decoder.decode(value))
        // The handler writes its next chunk only after this.
        signal.channel.postMessage('next')
      }
      expect(seen).toEqual(['one', 'two', 'three'])
      expect(await response.completion).toEqual({})
    } finally {
      signal.close()
    }
  })

  it('ends the stream with the error a handler throws after writing', async () => {
    const { host, logs } = streamingHost('failsMidStream')
    const response = await host.invokeStream('fn', {}, { logType: 'Tail' })
    const reader = response.body.getReader()
    expect(decoder.decode((await reader.read()).value)).toBe('partial ')
    const failure = await rejectionOf(reader.read())
    expect(failure).toMatchObject({ errorType: 'RangeError', errorMessage: 'died mid-stream' })
    const completion = await response.completion
    expect(completion.error).toMatchObject({ errorType: 'RangeError', errorMessage: 'died mid-stream' })
    expect(completion.logResult).toMatch(/REPORT RequestId: .*\tStatus: error/)
    expect(logs.some((entry) => entry.kind === 'report' && entry.report.status === 'error')).toBe(true)
  })

  it('ends a stream left open at the deadline with Sandbox.Timedout', async () => {
    const { host } = streamingHost('hangsMidStream', { timeoutMs: 500 })
    const response = await host.invokeStream('fn', {})
    const reader = response.body.getReader()
    expect(decoder.decode((await reader.read()).value)).toBe('partial ')
    expect(await rejectionOf(reader.read())).toMatchObject({ errorType: 'Sandbox.Timedout' })
    expect((await response.completion).error).toMatchObject({
      errorType: 'Sandbox.Timedout',
      errorMessage: 'Task timed out after 0.50 seconds',
    })
    expect(host.stats().functions.fn?.timeouts).toBe(1)
  })

  it('sends an ordinary handler’s result as one chunk', async () => {
    const { host } = testHost({ functions: { echo: { handler: fixture('echo.mjs') } } })
    const response = await host.invokeStream('echo', { a: 1 })
    expect(response).toMatchObject({ streamed: false, contentType: 'application/json' })
    expect(JSON.parse(await readAll(response.body))).toMatchObject({ event: { a: 1 } })
  })

  it('buffers a streaming handler called through invoke', async () => {
    const { host } = streamingHost('tuned')
    expect(await host.invoke('fn', { b: 2 })).toEqual({ event: { b: 2 }, highWaterMark: 1024 })
  })

  it('fails a stream past maxStreamBytes with Function.ResponseSizeTooLarge', async () => {
    const { host } = streamingHost('big', { maxStreamBytes: 1024 * 1024 })
    const signal = steering()
    try {
      const response = await host.invokeStream('fn', { channel: signal.name, megabytes: 4 })
      const failure = await rejectionOf(readAll(response.body))
      expect(failure).toMatchObject({ errorType: 'Function.ResponseSizeTooLarge' })
      expect((await response.completion).error?.errorMessage).toContain('(1048576 bytes)')
    } finally {
      signal.close()
    }
  })

  it('lets the handler run ahead of a reader by the host’s window, and no further', async () => {
    const { host } = streamingHost('runsAhead')
    const signal = steering()
    try {
      const response = await host.invokeStream('fn', { channel: signal.name, megabytes: 4 })
      // Nothing is read until the handler waits for credit past the window
      // (its first write may wait a moment for the window to arrive).
      const waits = () => (signal.messages as Array<{ waitingAt: number }>).map((message) => message.waitingAt)
      await until(() => waits().some((at) => at >= STREAM_WINDOW_BYTES))
      // The window granted ahead, and at most the host's 64 KiB queue, the
      // 16 KiB high-water mark and the write that went past them.
      expect(Math.max(...waits())).toBeLessThanOrEqual(STREAM_WINDOW_BYTES + 64 * 1024 + 16 * 1024 + 64 * 1024)
      expect((await readAll(response.body)).length).toBe(4 * 1024 * 1024)
      expect(await response.completion).toEqual({})
    } finally {
      signal.close()
    }
  })

  it('reuses the memory of chunks the reader releases, each chunk keeping its own bytes', async () => {
    const { host } = streamingHost('numbered')
    const count = 128
    const size = 64 * 1024
    const head = await host.invokeStreamRaw('fn', JSON.stringify({ count, size }))
    if (!head.streamed || head.release === undefined) throw new Error('expected a stream that takes chunks back')
    const released: Uint8Array[] = []
    const wrong: number[] = []
    let bytes = 0
    for await (const chunk of head.body) {
      const index = bytes / size
      if (chunk.byteLength !== size || chunk.some((byte) => byte !== index % 251)) wrong.push(index)
      bytes += chunk.byteLength
      head.release(chunk)
      released.push(chunk)
    }
    expect(await head.completion).toEqual({})
    expect(bytes).toBe(count * size)
    expect(wrong).toEqual([])
    // A chunk handed back to the environment is detached here. Those
    // released after the last credit stay: at most a batch and the window.
    const detached = released.filter((chunk) => chunk.byteLength === 0).length
    expect(detached).toBeGreaterThanOrEqual(count - (STREAM_WINDOW_BYTES + CREDIT_BATCH_BYTES) / size)
  })

  it('rejects before the first byte when the function does not exist', async () => {
    const { host } = streamingHost('stepped')
    expect(await rejectionOf(host.invokeStream('nope', {}))).toMatchObject({ errorType: 'ResourceNotFoundException' })
  })
})
