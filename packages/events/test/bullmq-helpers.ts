import { spawn } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'
import { expect, it } from 'vitest'
import { type BullmqStoreOptions, createBullmqStore } from '../src/bullmq-store.js'
import type { EventStore } from '../src/event-store.js'
import { claimOptions, ids, newEvent } from './store-contract.js'

const here = dirname(fileURLToPath(import.meta.url))

/** The store's modules, which import packages and each other only. */
const STORE_MODULES = [
  'bullmq-store',
  'bullmq-backend',
  'bullmq-redis',
  'bullmq-postgres',
  'bullmq-scheduler',
  'schedule-expression',
  'event-store',
]

/**
 * The fixture runs in a plain Node process, which cannot load TypeScript
 * on Node 20: it gets the store's files transpiled, under node_modules so
 * that `bullmq`, `ioredis` and `pg` resolve.
 */
export async function storeModuleUrl(): Promise<string> {
  const dir = join(here, '../node_modules/.cache/lambdalet-events-test')
  await mkdir(dir, { recursive: true })
  // Node takes files under node_modules for CommonJS unless told otherwise.
  await writeFile(join(dir, 'package.json'), '{"type":"module"}\n')
  await Promise.all(
    STORE_MODULES.map(async (name) => {
      const source = await readFile(join(here, `../src/${name}.ts`), 'utf8')
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      })
      await writeFile(join(dir, `${name}.js`), outputText)
    }),
  )
  return pathToFileURL(join(dir, 'bullmq-store.js')).href
}

export async function spawnClaimer(argument: object) {
  const child = spawn(process.execPath, [join(here, 'fixtures/claim-and-hang.mjs'), JSON.stringify(argument)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const line = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('\n')) resolve(out.split('\n')[0]!)
    })
    void exited.then(() => reject(new Error(`the claiming process exited early:\n${stderr}`)))
  })
  const { claimed } = JSON.parse(line) as { claimed: string[] }
  return {
    claimed,
    exited,
    kill: () => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, 'SIGKILL'),
  }
}

/** Store options and an opener for tests on one BullMQ server (Redis or PostgreSQL). */
export function bullmqStores(url: () => string, newPrefix: () => string) {
  /** Quick stall recovery, so a lost lease comes back in a couple of seconds. */
  const storeOptions = (prefix: string): BullmqStoreOptions => ({
    url: url(),
    prefix,
    stalledIntervalMs: 500,
    usageRefreshMs: 100,
  })
  /** Every store a test opens, closed at its end. */
  const openStores = async (prefix = newPrefix()) => {
    const stores: EventStore[] = []
    const open = async () => {
      const store = await createBullmqStore(storeOptions(prefix))
      stores.push(store)
      return store
    }
    return { prefix, open, closeAll: () => Promise.all(stores.map((store) => store.close())) }
  }
  return { storeOptions, openStores }
}

/** What several instances sharing one BullMQ server rely on; called inside a `describe`. */
export function sharedStoreTests(where: string, { storeOptions, openStores }: ReturnType<typeof bullmqStores>): void {
  it(`never gives one event to two stores sharing ${where}`, async () => {
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
        // While the lease is held nobody else gets the event...
        expect(await store.claim('fn-a', 1, claimOptions({ waitMs: 300 }))).toEqual([])
      } finally {
        child.kill()
      }
      await child.exited
      const killedAt = Date.now()
      // ...and once the holder is gone, the lock runs out and the stalled check brings it back.
      const leases = await store.claim('fn-a', 1, claimOptions({ waitMs: 15_000 }))
      expect(ids(leases)).toEqual(['orphan'])
      expect(leases[0]!.event.invokeCount).toBe(0)
      expect(Date.now() - killedAt).toBeLessThan(15_000)
      await store.ack(leases[0]!)
    } finally {
      await closeAll()
    }
  })
}
