import { describe, expect, it } from 'vitest'
import { createHost } from '../src/index.js'
import { fixture } from './helpers.js'

const handler = fixture('echo-value.mjs')

describe('options', () => {
  it.each([
    [
      { functions: { f: { handler, timeoutMs: -1 } } },
      'Expected `functions.f.timeoutMs` to be an integer of at least 1, got `-1`',
    ],
    [{ functions: { f: { handler, memoryMb: 1.5 } } }, '`functions.f.memoryMb`'],
    [{ functions: { f: { handler, minWarm: 3, maxConcurrency: 2 } } }, 'to be at most `maxConcurrency`'],
    [{ functions: { f: { handler, bogus: 1 } } }, 'Unknown option `functions.f.bogus`'],
    [{ functions: { 'bad/name': { handler } } }, 'function name'],
    [{ functions: { f: { handler: 'index' } } }, '`handler`'],
    [{ functions: { f: { handler, env: { A: 1 } } } }, '`functions.f.env`'],
    [{ functions: {}, maxConcurrency: 0 }, '`maxConcurrency`'],
    [{ functions: {}, extra: true }, 'Unknown host option `extra`'],
    [{ functions: { f: { handler, runtime: 'vm' } } }, "Expected `functions.f.runtime` to be 'thread' or 'process'"],
    [{ functions: { f: { handler, command: ['./run'] } } }, "`functions.f.command` only with `runtime: 'process'`"],
    [
      { functions: { f: { handler: 'x', runtime: 'process', command: [] } } },
      '`functions.f.command` to be a non-empty',
    ],
    [
      { functions: { f: { handler: 'x', runtime: 'process', command: [1] } } },
      '`functions.f.command` to be a non-empty',
    ],
    [{ functions: { f: { handler: '', runtime: 'process' } } }, '`functions.f.handler` to be a non-empty string'],
  ])('rejects bad options with a message naming them (%#)', (options, message) => {
    expect(() => createHost(options as never)).toThrow(message)
  })
})
