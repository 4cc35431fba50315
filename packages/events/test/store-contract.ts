import type { EventInvokeConfigEntry } from '@lambdalet/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import type { ClaimOptions, EventStore, Lease, NewEvent } from '../src/event-store.js'

export interface StoreUnderTest {
  store: EventStore
  /** Closes nothing; opens the same storage again (a second process on the same Redis, the same directory). */
  reopen?: () => Promise<EventStore>
  /** Closes every store it opened and removes the storage. */
  cleanup: () => Promise<void>
}

const FN = 'fn-a'
const OTHER = 'fn-b'
/** Bounds on how long something may take: generous, since the machine is shared. */
const SOON = 10_000

/**
 * What every EventStore adapter must do, whatever it stores in. Each test
 * gets a fresh store from `makeStore`.
 */
export function describeStoreContract(
  name: string,
  makeStore: () => Promise<StoreUnderTest>,
  {
    durable,
    dueOrder = true,
  }: {
    durable: boolean
    /**
     * Whether events that fell due while nobody claimed come out in due
     * order. BullMQ 6.7's PostgreSQL backend hands them out in enqueue order:
     * its claim promotes every due delayed job, then takes the lowest
     * insertion sequence (`ORDER BY priority, seq` in `move_to_active`).
     */
    dueOrder?: boolean
  },
): void {
  describe(`${name}: the EventStore contract`, () => {
    let current: StoreUnderTest | undefined
    const open = async () => (current = await makeStore())
    afterEach(async () => {
      await current?.cleanup()
      current = undefined
    })

    it('returns an enqueued event with its fields when claimed', async () => {
      const { store } = await open()
      const event = newEvent('e1', { payload: '{"hello":"wörld"}' })
      await store.enqueue([event])
      const before = Date.now()
      const leases = await store.claim(FN, 10, claimOptions())
      expect(leases.map((lease) => lease.event)).toEqual([
        {
          id: 'e1',
          functionName: FN,
          payload: '{"hello":"wörld"}',
          acceptedAt: event.acceptedAt,
          invokeCount: 0,
          throttles: 0,
          receiveCount: 1,
          firstReceivedAt: expect.any(Number),
        },
      ])
      expect(leases[0]!.event.firstReceivedAt).toBeGreaterThanOrEqual(before - 1000)
      expect(await store.claim(OTHER, 10, claimOptions())).toEqual([])
    })

    it('enqueues the same event id once, and settles a lease once', async () => {
      const { store } = await open()
      await store.enqueue([newEvent('same')])
      await store.enqueue([newEvent('same')])
      const leases = await store.claim(FN, 10, claimOptions())
      expect(ids(leases)).toEqual(['same'])
      await store.ack(leases[0]!)
      await expect(store.ack(leases[0]!)).rejects.toThrow()
    })

    it('claims at most max events, oldest first', async () => {
      const { store } = await open()
      const now = Date.now()
      await store.enqueue([
        newEvent('a', { acceptedAt: now - 3 }),
        newEvent('b', { acceptedAt: now - 2 }),
        newEvent('c', { acceptedAt: now - 1 }),
      ])
      expect(ids(await store.claim(FN, 2, claimOptions()))).toEqual(['a', 'b'])
      expect(ids(await store.claim(FN, 5, claimOptions()))).toEqual(['c'])
    })

    it(
      dueOrder
        ? 'hands out delayed events in the order they fall due'
        : 'hands out delayed events once they fall due, in enqueue order',
      async () => {
        const { store } = await open()
        const now = Date.now()
        await store.enqueue([newEvent('later', { runAt: now + 400 }), newEvent('sooner', { runAt: now + 200 })])
        await until(() => Date.now() > now + 450)
        expect(ids(await store.claim(FN, 2, claimOptions()))).toEqual(
          dueOrder ? ['sooner', 'later'] : ['later', 'sooner'],
        )
      },
    )

    it('does not hand out an event before its runAt, and does after', async () => {
      const { store } = await open()
      const runAt = Date.now() + 600
      await store.enqueue([newEvent('delayed', { runAt })])
      expect(await store.claim(FN, 1, claimOptions())).toEqual([])
      const leases = await store.claim(FN, 1, claimOptions({ waitMs: SOON }))
      expect(ids(leases)).toEqual(['delayed'])
      expect(Date.now()).toBeGreaterThanOrEqual(runAt - 5)
    })

    it('waits up to waitMs for an event and resolves with none', async () => {
      const { store } = await open()
      const started = Date.now()
      expect(await store.claim(FN, 1, claimOptions({ waitMs: 300 }))).toEqual([])
      const waited = Date.now() - started
      expect(waited).toBeGreaterThanOrEqual(290)
      expect(waited).toBeLessThan(SOON)
    })

    it('resolves a waiting claim early when an event is enqueued', async () => {
      const { store } = await open()
      const started = Date.now()
      const claimed = store.claim(FN, 5, claimOptions({ waitMs: 30_000 }))
      setTimeout(() => void store.enqueue([newEvent('late')]), 200)
      expect(ids(await claimed)).toEqual(['late'])
      expect(Date.now() - started).toBeLessThan(SOON)
    })

    it('resolves a claim with none when its signal aborts while the claim is still starting', async () => {
      const { store } = await open()
      const controller = new AbortController()
      const started = Date.now()
      const claimed = store.claim(FN, 1, claimOptions({ waitMs: 30_000, signal: controller.signal }))
      // Synchronously after the call: before any adapter has set up its wait.
      controller.abort()
      expect(await claimed).toEqual([])
      expect(Date.now() - started).toBeLessThan(SOON)
    })

    it('resolves a waiting claim with none when its signal aborts', async () => {
      const { store } = await open()
      const controller = new AbortController()
      const started = Date.now()
      const claimed = store.claim(FN, 1, claimOptions({ waitMs: 30_000, signal: controller.signal }))
      setTimeout(() => controller.abort(), 100)
      expect(await claimed).toEqual([])
      expect(Date.now() - started).toBeLessThan(SOON)
      expect(await store.claim(FN, 1, claimOptions({ signal: controller.signal }))).toEqual([])
    })

    it('does not hand a leased event to another claim', async () => {
      const { store } = await open()
      await store.enqueue([newEvent('once')])
      const [first, second] = await Promise.all([
        store.claim(FN, 1, claimOptions({ waitMs: 300 })),
        store.claim(FN, 1, claimOptions({ waitMs: 300 })),
      ])
      expect([...ids(first!), ...ids(second!)]).toEqual(['once'])
      expect(await store.claim(FN, 1, claimOptions({ waitMs: 200 }))).toEqual([])
    })

    it('removes an acked event and stores the next events with it', async () => {
      const { store } = await open()
      await store.enqueue([newEvent('source')])
      const [lease] = await store.claim(FN, 1, claimOptions())
      const destination = newEvent('destination', { functionName: OTHER, payload: '{"record":1}' })
      await store.ack(lease!, [destination])
      expect(await store.claim(FN, 1, claimOptions({ waitMs: 200 }))).toEqual([])
      const next = await store.claim(OTHER, 5, claimOptions())
      expect(next.map((l) => l.event)).toEqual([
        {
          id: 'destination',
          functionName: OTHER,
          payload: '{"record":1}',
          acceptedAt: destination.acceptedAt,
          invokeCount: 0,
          throttles: 0,
          receiveCount: 1,
          firstReceivedAt: expect.any(Number),
        },
      ])
      await until(() => store.usage(FN).events === 0)
    })

    it('puts an event back with its counters, due at runAt', async () => {
      const { store } = await open()
      const event = newEvent('retried')
      await store.enqueue([event])
      const [lease] = await store.claim(FN, 1, claimOptions())
      const runAt = Date.now() + 500
      await store.retryLater(lease!, runAt, { invokeCount: 1, throttles: 2 })
      expect(await store.claim(FN, 1, claimOptions())).toEqual([])
      const again = await store.claim(FN, 1, claimOptions({ waitMs: SOON }))
      expect(Date.now()).toBeGreaterThanOrEqual(runAt - 5)
      expect(again.map((l) => l.event)).toEqual([
        {
          ...event,
          invokeCount: 1,
          throttles: 2,
          receiveCount: 2,
          firstReceivedAt: expect.any(Number),
        },
      ])
      expect(store.usage(FN).events).toBe(1)
    })

    it('removes a dead-lettered event and stores the next events with it', async () => {
      const { store } = await open()
      await store.enqueue([newEvent('doomed')])
      const [lease] = await store.claim(FN, 1, claimOptions())
      await store.deadLetter(lease!, 'RetriesExhausted', [newEvent('record', { functionName: OTHER })])
      expect(await store.claim(FN, 1, claimOptions({ waitMs: 200 }))).toEqual([])
      expect(ids(await store.claim(OTHER, 1, claimOptions()))).toEqual(['record'])
      await until(() => store.usage(FN).events === 0)
    })

    it('counts the events, bytes and oldest acceptedAt a function holds', async () => {
      const { store } = await open()
      expect(store.usage(FN)).toEqual({ events: 0, leased: 0, bytes: 0, oldestAcceptedAt: null })
      const now = Date.now()
      const older = newEvent('older', { acceptedAt: now - 1000, payload: '"äé"' })
      const newer = newEvent('newer', { acceptedAt: now, payload: '{"n":12345}' })
      await store.enqueue([older, newer])
      const bytes = (event: NewEvent) => Buffer.byteLength(event.payload)
      expect(store.usage(FN)).toEqual({
        events: 2,
        leased: 0,
        bytes: bytes(older) + bytes(newer),
        oldestAcceptedAt: older.acceptedAt,
      })
      const [lease] = await store.claim(FN, 1, claimOptions())
      expect(lease!.event.id).toBe('older')
      // Running events still count.
      expect(store.usage(FN).events).toBe(2)
      await store.ack(lease!)
      await until(() => {
        const usage = store.usage(FN)
        return usage.events === 1 && usage.bytes === bytes(newer) && usage.oldestAcceptedAt === newer.acceptedAt
      })
      expect(store.usage(OTHER)).toEqual({ events: 0, leased: 0, bytes: 0, oldestAcceptedAt: null })
    })

    it('hands an event out again once its lease runs out, counting the receipt, and voids the old lease', async () => {
      const { store } = await open()
      await store.enqueue([newEvent('visible-again')])
      const [first] = await store.claim(FN, 1, claimOptions({ leaseMs: 1_000 }))
      expect(first!.event.receiveCount).toBe(1)
      expect(await store.claim(FN, 1, claimOptions())).toEqual([])
      const [second] = await store.claim(FN, 1, claimOptions({ leaseMs: 30_000, waitMs: 3 * SOON }))
      expect(second!.event).toMatchObject({ id: 'visible-again', receiveCount: 2 })
      expect(second!.event.firstReceivedAt).toBeGreaterThan(0)
      await expect(store.ack(first!)).rejects.toThrow()
      await store.ack(second!)
      await until(() => store.usage(FN).events === 0)
    })

    it('keeps an event leased while the lease is renewed', async () => {
      const { store } = await open()
      await store.enqueue([newEvent('renewed')])
      const [lease] = await store.claim(FN, 1, claimOptions({ leaseMs: 1_000 }))
      await store.renew(lease!, 30_000)
      // Past the first lease, and past a shared store's stalled check.
      expect(await store.claim(FN, 1, claimOptions({ waitMs: 2_500 }))).toEqual([])
      await store.ack(lease!)
    })

    it('counts leased events in usage', async () => {
      const { store } = await open()
      await store.enqueue([newEvent('one'), newEvent('two')])
      const [lease] = await store.claim(FN, 1, claimOptions())
      await until(() => store.usage(FN).leased === 1 && store.usage(FN).events === 2)
      await store.ack(lease!)
    })

    it('purges the events a function holds and no other', async () => {
      const { store } = await open()
      await store.enqueue([
        newEvent('p1'),
        newEvent('p2', { runAt: Date.now() + 60_000 }),
        newEvent('kept', { functionName: OTHER }),
      ])
      expect(await store.purge(FN)).toBe(2)
      expect(await store.claim(FN, 5, claimOptions({ waitMs: 200 }))).toEqual([])
      expect(ids(await store.claim(OTHER, 5, claimOptions()))).toEqual(['kept'])
      await until(() => store.usage(FN).events === 0)
    })

    it('keeps event-invoke-configs', async () => {
      const { store, reopen } = await open()
      const a: EventInvokeConfigEntry = {
        config: { maximumRetryAttempts: 1, destinations: { onFailure: OTHER } },
        lastModified: 1_700_000_000_000,
      }
      const b: EventInvokeConfigEntry = { config: { maximumEventAgeInSeconds: 60 }, lastModified: 1_700_000_000_001 }
      await store.saveConfig(FN, a)
      await store.saveConfig(OTHER, b)
      await store.saveConfig(OTHER, null)
      expect(await store.loadConfigs()).toEqual({ [FN]: a })
      if (reopen) {
        await store.close()
        expect(await (await reopen()).loadConfigs()).toEqual({ [FN]: a })
      }
    })

    // Only a durable store has something to reopen.
    if (durable)
      it('keeps events that were not acked across close and reopen', async () => {
        const { store, reopen } = await open()
        if (!reopen) throw new Error('a durable store under test must give `reopen`')
        await store.enqueue([
          newEvent('done'),
          newEvent('leased'),
          newEvent('waiting'),
          newEvent('delayed', { runAt: Date.now() + 300 }),
        ])
        const [done] = await store.claim(FN, 1, claimOptions())
        await store.ack(done!)
        const [leased] = await store.claim(FN, 1, claimOptions({ leaseMs: 1000 }))
        expect(leased!.event.id).toBe('leased')
        await store.close()
        const again = await reopen()
        await until(() => again.usage(FN).events === 3)
        const seen = new Set<string>()
        const deadline = Date.now() + 3 * SOON
        while (seen.size < 3 && Date.now() < deadline) {
          for (const lease of await again.claim(FN, 5, claimOptions({ waitMs: 1000 }))) {
            seen.add(lease.event.id)
            await again.ack(lease)
          }
        }
        expect([...seen].sort()).toEqual(['delayed', 'leased', 'waiting'])
      })
  })
}

export function newEvent(id: string, fields: Partial<NewEvent> = {}): NewEvent {
  return { id, functionName: FN, payload: JSON.stringify({ id }), acceptedAt: Date.now(), ...fields }
}

export function claimOptions(options: Partial<ClaimOptions> = {}): ClaimOptions {
  return { leaseMs: 30_000, waitMs: 0, signal: new AbortController().signal, ...options }
}

export function ids(leases: readonly Lease[]): string[] {
  return leases.map((lease) => lease.event.id)
}

/** Polls a condition: for state that settles in the background (a refresh, a lock running out). */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = SOON): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${condition.toString()}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
