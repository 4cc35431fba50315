import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BullmqStoreOptions, createBullmqStore } from '../src/bullmq-store.js'
import type { EventStore } from '../src/event-store.js'
import { spawnClaimer, storeModuleUrl, unusedPort } from './bullmq-helpers.js'
import { type PostgresServer, startPostgresServer } from './postgres-server.js'
import { claimOptions, describeStoreContract, ids, newEvent } from './store-contract.js'

let postgres: PostgresServer

beforeAll(async () => {
  postgres = await startPostgresServer()
}, 60_000)
afterAll(async () => {
  await postgres?.stop()
})

/** Quick stall recovery, so a lost lease comes back in a couple of seconds. */
function storeOptions(prefix: string): BullmqStoreOptions {
  return { url: postgres.url, prefix, stalledIntervalMs: 500, usageRefreshMs: 100 }
}

/** Every store a test opens, closed at its end; each test has a schema of its own. */
async function openStores(prefix = `t_${randomUUID().replaceAll('-', '')}`) {
  const stores: EventStore[] = []
  const open = async () => {
    const store = await createBullmqStore(storeOptions(prefix))
    stores.push(store)
    return store
  }
  return { prefix, open, closeAll: () => Promise.all(stores.map((store) => store.close())) }
}

describeStoreContract(
  'BullMQ on PostgreSQL',
  async () => {
    const { open, closeAll } = await openStores()
    // A second store on the same database and schema is what another process, or a restart, sees.
    return { store: await open(), reopen: open, cleanup: async () => void (await closeAll()) }
  },
  { durable: true, dueOrder: false },
)

describe('the BullMQ store on PostgreSQL', () => {
  it('never gives one event to two stores sharing a database', async () => {
    const { open, closeAll } = await openStores()
    try {
      const [a, b] = await Promise.all([open(), open()])
      const events = Array.from({ length: 60 }, (_, i) => newEvent(`e${i}`))
      const claimedBy = { a: [] as string[], b: [] as string[] }
      const drain = async (store: EventStore, into: string[]) => {
        let idle = 0
        while (idle < 3) {
          const leases = await store.claim('fn-a', 4, claimOptions({ waitMs: 300 }))
          idle = leases.length === 0 ? idle + 1 : 0
          for (const lease of leases) {
            into.push(lease.event.id)
            await store.ack(lease)
          }
        }
      }
      const drained = Promise.all([drain(a!, claimedBy.a), drain(b!, claimedBy.b)])
      await a!.enqueue(events.slice(0, 30))
      await b!.enqueue(events.slice(30))
      await drained
      const all = [...claimedBy.a, ...claimedBy.b]
      expect(all).toHaveLength(60)
      expect(new Set(all).size).toBe(60)
    } finally {
      await closeAll()
    }
  })

  it('gives an event back once the process that leased it is killed, without counting a run', async () => {
    const { prefix, open, closeAll } = await openStores()
    try {
      const store = await open()
      await store.enqueue([newEvent('orphan')])
      const child = await spawnClaimer({
        module: await storeModuleUrl(),
        options: storeOptions(prefix),
        functionName: 'fn-a',
        leaseMs: 1500,
      })
      try {
        expect(child.claimed).toEqual(['orphan'])
        expect(await store.claim('fn-a', 1, claimOptions({ waitMs: 300 }))).toEqual([])
      } finally {
        child.kill()
      }
      await child.exited
      const leases = await store.claim('fn-a', 1, claimOptions({ waitMs: 15_000 }))
      expect(ids(leases)).toEqual(['orphan'])
      expect(leases[0]!.event.invokeCount).toBe(0)
      await store.ack(leases[0]!)
    } finally {
      await closeAll()
    }
  })

  it('keeps the counters of an event put back for later', async () => {
    const { open, closeAll } = await openStores()
    try {
      const [a, b] = await Promise.all([open(), open()])
      await a!.enqueue([newEvent('again')])
      const [lease] = await a!.claim('fn-a', 1, claimOptions())
      await a!.retryLater(lease!, Date.now() + 200, { invokeCount: 1, throttles: 2 })
      const [back] = await b!.claim('fn-a', 1, claimOptions({ waitMs: 5000 }))
      expect(back?.event).toMatchObject({ id: 'again', invokeCount: 1, throttles: 2 })
      await b!.ack(back!)
    } finally {
      await closeAll()
    }
  })

  it('rejects fast, in one line and without the password, when PostgreSQL cannot be reached', async () => {
    const port = await unusedPort()
    const started = Date.now()
    const error = await createBullmqStore({ url: `postgres://me:s3cret@127.0.0.1:${port}/db` }).catch((e: Error) => e)
    expect(error).toBeInstanceOf(Error)
    const { message } = error as Error
    expect(message).toMatch(
      new RegExp(`^cannot reach the store at postgres://me:\\*\\*\\*@127\\.0\\.0\\.1:${port}/db: connect ECONNREFUSED`),
    )
    expect(message).not.toContain('\n')
    expect(message).not.toContain('s3cret')
    expect(Date.now() - started).toBeLessThan(3000)
  })

  it('describes itself without the password', async () => {
    const url = postgres.url.replace('postgres@', 'postgres:hunter2@')
    const store = await createBullmqStore({ url, prefix: `t_${randomUUID().replaceAll('-', '')}` })
    try {
      expect(store.description).toBe(url.replace('hunter2', '***'))
    } finally {
      await store.close()
    }
  })

  it('refuses a prefix that is not a schema name', async () => {
    await expect(createBullmqStore({ url: postgres.url, prefix: 'no-dashes' })).rejects.toThrow(
      /Expected `prefix` to be a PostgreSQL schema name/,
    )
  })
})
