import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EventStore } from '../src/event-store.js'
import { createEmbeddedStore, createMemoryStore } from '../src/index.js'
import { describeStoreContract } from './store-contract.js'

describeStoreContract(
  'the memory store',
  async () => {
    const store = createMemoryStore()
    return { store, cleanup: () => store.close() }
  },
  { durable: false },
)

describeStoreContract(
  'the embedded store',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambdalet-store-'))
    const opened: EventStore[] = [createEmbeddedStore(dir)]
    return {
      store: opened[0]!,
      // One process at a time holds a directory: the contract closes the first before it reopens.
      reopen: async () => {
        const store = createEmbeddedStore(dir)
        opened.push(store)
        return store
      },
      cleanup: async () => {
        for (const store of opened) await store.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  },
  { durable: true },
)
