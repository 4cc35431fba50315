import { describe, expect, it } from 'vitest'
import { createEmbeddedStore } from '../src/index.js'
import { tempDir } from './helpers.js'

const claimAll = (store: ReturnType<typeof createEmbeddedStore>, fn: string) =>
  store.claim(fn, 100, { leaseMs: 1_000, waitMs: 0, signal: new AbortController().signal })

describe('embedded store', () => {
  it('keeps events that were claimed but not acked, and configs, across a close and reopen', async () => {
    const dir = tempDir()
    const first = createEmbeddedStore(dir)
    await first.enqueue([
      { id: 'a', functionName: 'f', payload: '{"n":1}', acceptedAt: 1 },
      { id: 'b', functionName: 'f', payload: '{"n":2}', acceptedAt: 2 },
    ])
    const [leaseA, leaseB] = await claimAll(first, 'f')
    await first.ack(leaseA!, [{ id: 'c', functionName: 'g', payload: '"record"', acceptedAt: 3 }])
    await first.retryLater(leaseB!, Date.now(), { invokeCount: 1, throttles: 0 })
    await first.saveConfig('f', { config: { maximumRetryAttempts: 1 }, lastModified: 5 })
    await first.close()

    const second = createEmbeddedStore(dir)
    try {
      expect((await claimAll(second, 'f')).map((l) => l.event)).toEqual([
        {
          id: 'b',
          functionName: 'f',
          payload: '{"n":2}',
          acceptedAt: 2,
          invokeCount: 1,
          throttles: 0,
          receiveCount: 2,
          firstReceivedAt: expect.any(Number),
        },
      ])
      expect((await claimAll(second, 'g')).map((l) => l.event.payload)).toEqual(['"record"'])
      expect(await second.loadConfigs()).toEqual({ f: { config: { maximumRetryAttempts: 1 }, lastModified: 5 } })
      expect(second.usage('f')).toEqual({ events: 1, leased: 1, bytes: 7, oldestAcceptedAt: 2 })
    } finally {
      await second.close()
    }
  })

  it('refuses a directory that a live process holds, naming its pid', async () => {
    const dir = tempDir()
    const store = createEmbeddedStore(dir)
    try {
      expect(() => createEmbeddedStore(dir)).toThrow(
        `the store in ${dir} is in use by another process (pid ${process.pid})`,
      )
    } finally {
      await store.close()
    }
  })
})
