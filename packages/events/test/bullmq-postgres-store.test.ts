import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBullmqStore } from '../src/bullmq-store.js'
import { bullmqStores, sharedStoreTests } from './bullmq-helpers.js'
import { freePort } from './free-port.js'
import { type PostgresServer, startPostgresServer } from './postgres-server.js'
import { sharedScheduleTests } from './shared-schedules.js'
import { claimOptions, describeStoreContract, newEvent } from './store-contract.js'

let postgres: PostgresServer

beforeAll(async () => {
  postgres = await startPostgresServer()
}, 60_000)
afterAll(async () => {
  await postgres?.stop()
})

const { storeOptions, openStores } = bullmqStores(
  () => postgres.url,
  () => `t_${randomUUID().replaceAll('-', '')}`,
)

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
  sharedStoreTests('a database', { storeOptions, openStores })
  sharedScheduleTests('a database', () => storeOptions(`t_${randomUUID().replaceAll('-', '')}`))

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
    const port = await freePort()
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
