import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBullmqStore } from '../src/bullmq-store.js'
import { LeaseLostError } from '../src/event-store.js'
import { bullmqStores, sharedStoreTests } from './bullmq-helpers.js'
import { freePort } from './free-port.js'
import { type RedisServer, startRedisServer } from './redis-server.js'
import { claimOptions, describeStoreContract, ids, newEvent } from './store-contract.js'

let redis: RedisServer

beforeAll(async () => {
  redis = await startRedisServer()
})
afterAll(async () => {
  await redis?.stop()
})

const { storeOptions, openStores } = bullmqStores(
  () => redis.url,
  () => `t-${randomUUID()}`,
)

describeStoreContract(
  'BullMQ on Redis',
  async () => {
    const { open, closeAll } = await openStores()
    // A second store on the same Redis and prefix is what another process, or a restart, sees.
    return { store: await open(), reopen: open, cleanup: async () => void (await closeAll()) }
  },
  { durable: true },
)

describe('the BullMQ store', () => {
  sharedStoreTests('a Redis', { storeOptions, openStores })

  it('renews a lease past its first duration, and refuses one it lost', async () => {
    const { open, closeAll } = await openStores()
    try {
      const [a, b] = await Promise.all([open(), open()])
      await a!.enqueue([newEvent('long')])
      const [lease] = await a!.claim('fn-a', 1, claimOptions({ leaseMs: 800 }))
      await a!.renew(lease!, 30_000)
      // Well past the first 800 ms and several stalled checks: still held.
      expect(await b!.claim('fn-a', 1, claimOptions({ waitMs: 2500 }))).toEqual([])
      await a!.renew(lease!, 200)
      const [taken] = await b!.claim('fn-a', 1, claimOptions({ waitMs: 15_000 }))
      expect(taken?.event.id).toBe('long')
      await expect(a!.renew(lease!, 1000)).rejects.toThrow(/lease on event long of fn-a is lost/)
      await expect(a!.ack(lease!)).rejects.toThrow()
      await b!.ack(taken!)
    } finally {
      await closeAll()
    }
  })

  it('lets another process settle a lease from its token, and resumes nothing once it is settled', async () => {
    const { open, closeAll } = await openStores()
    try {
      const [a, b] = await Promise.all([open(), open()])
      await a!.enqueue([newEvent('handed-over'), newEvent('put-back')])
      const leases = await a!.claim('fn-a', 2, claimOptions())
      const [first, second] = [
        leases.find((l) => l.event.id === 'handed-over')!,
        leases.find((l) => l.event.id === 'put-back')!,
      ]
      // A made-up token takes up nothing: BullMQ checks the lock.
      const forged = await b!.resume!('fn-a', 'handed-over', 'not-the-token')
      await expect(b!.ack(forged!)).rejects.toThrow(LeaseLostError)
      const resumed = await b!.resume!('fn-a', 'handed-over', first.token!)
      expect(resumed?.event).toMatchObject({ id: 'handed-over', receiveCount: 1 })
      await b!.ack(resumed!)
      await expect(a!.ack(first)).rejects.toThrow()
      expect(await b!.resume!('fn-a', 'handed-over', first.token!)).toBeNull()

      const again = await b!.resume!('fn-a', 'put-back', second.token!)
      await b!.retryLater(again!, Date.now(), { invokeCount: 0, throttles: 0 })
      const [back] = await b!.claim('fn-a', 1, claimOptions({ waitMs: 10_000 }))
      expect(back?.event).toMatchObject({ id: 'put-back', receiveCount: 2 })
      await b!.ack(back!)
    } finally {
      await closeAll()
    }
  })

  it('keeps event ids that BullMQ would refuse or confuse with its own keys', async () => {
    const { open, closeAll } = await openStores()
    try {
      const store = await open()
      const odd = ['123', 'a:b:c', 'x:y', '%41', '%2541', 'delayed', 'meta', 'wait', 'id', 'a1b2']
      await store.enqueue(odd.map((id) => newEvent(id)))
      await store.enqueue([newEvent('123')])
      const leases = await store.claim('fn-a', 10, claimOptions())
      expect(ids(leases).sort()).toEqual([...odd].sort())
      for (const lease of leases) await store.ack(lease)
      await expect.poll(() => store.usage('fn-a')).toEqual({ events: 0, leased: 0, bytes: 0, oldestAcceptedAt: null })
    } finally {
      await closeAll()
    }
  })

  it('shows usage that another instance enqueued', async () => {
    const { open, closeAll } = await openStores()
    try {
      const [a, b] = await Promise.all([open(), open()])
      await a!.enqueue([
        newEvent('x', { payload: '12345' }),
        newEvent('y', { payload: '1', runAt: Date.now() + 60_000 }),
      ])
      await expect.poll(() => b!.usage('fn-a'), { timeout: 10_000 }).toMatchObject({ events: 2, bytes: 6 })
      // A store opened later knows about it from the start.
      const c = await open()
      expect(c.usage('fn-a')).toMatchObject({ events: 2, bytes: 6 })
    } finally {
      await closeAll()
    }
  })

  it('closes promptly while a claim is waiting', async () => {
    const { open } = await openStores()
    const store = await open()
    const waiting = store.claim('fn-a', 1, claimOptions({ waitMs: 30_000 }))
    await new Promise((resolve) => setTimeout(resolve, 100))
    const started = Date.now()
    await store.close()
    expect(await waiting).toEqual([])
    expect(Date.now() - started).toBeLessThan(3000)
    await expect(store.enqueue([newEvent('late')])).rejects.toThrow(/closed/)
  })

  it('fails fast while Redis is down and works again once it is back', async () => {
    let server = await startRedisServer()
    const store = await createBullmqStore({ url: server.url, prefix: 'outage', stalledIntervalMs: 500 })
    try {
      await store.enqueue([newEvent('before')])
      const [lease] = await store.claim('fn-a', 1, claimOptions())
      await store.ack(lease!)
      await server.stop()
      const started = Date.now()
      await expect(store.enqueue([newEvent('during')])).rejects.toThrow()
      expect(Date.now() - started).toBeLessThan(3000)
      expect(store.usage('fn-a').events).toBe(0)
      server = await startRedisServer({ port: server.port })
      await expect
        .poll(
          () =>
            store.enqueue([newEvent('after')]).then(
              () => true,
              () => false,
            ),
          { timeout: 15_000, interval: 200 },
        )
        .toBe(true)
      expect(ids(await store.claim('fn-a', 1, claimOptions({ waitMs: 10_000 })))).toEqual(['after'])
    } finally {
      await store.close()
      await server.stop()
    }
  })

  it('rejects fast, in one line, when Redis cannot be reached', async () => {
    const port = await freePort()
    const started = Date.now()
    const error = await createBullmqStore({ url: `redis://127.0.0.1:${port}` }).catch((e: Error) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toMatch(
      new RegExp(`^cannot reach the store at redis://127\\.0\\.0\\.1:${port}: connect ECONNREFUSED`),
    )
    expect((error as Error).message).not.toContain('\n')
    expect(Date.now() - started).toBeLessThan(3000)
  })

  it('rejects a URL that is neither redis:// nor postgres://, without its password', async () => {
    await expect(createBullmqStore({ url: 'nats://me:secret@localhost/x' })).rejects.toThrow(
      'Expected `url` to be redis://host:port[/db] or postgres://user:password@host:port/db, got `nats://me:***@localhost/x`',
    )
  })
})
