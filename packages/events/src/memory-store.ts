import type { EventInvokeConfigEntry } from '@lambdalet/protocol'
import { type EventMeta, LocalStore, type Persistence, type WriteOp } from './local-store.js'

/**
 * Events kept in this process's memory: nothing survives a restart. For
 * tests, and for embedding where losing queued events is acceptable.
 */
export function createMemoryStore(): LocalStore {
  return new LocalStore(new MemoryPersistence())
}

class MemoryPersistence implements Persistence {
  readonly description = 'memory (events are lost when the process stops)'
  readonly #payloads = new Map<string, string>()

  load(): { events: EventMeta[]; configs: Record<string, EventInvokeConfigEntry> } {
    return { events: [], configs: {} }
  }

  payload(id: string): string {
    const payload = this.#payloads.get(id)
    if (payload === undefined) throw new Error(`No stored payload for event ${id}`)
    return payload
  }

  async write(ops: readonly WriteOp[]): Promise<void> {
    for (const op of ops) {
      if (op.type === 'put' && op.payload !== undefined) this.#payloads.set(op.meta.id, op.payload)
      else if (op.type === 'remove') this.#payloads.delete(op.id)
    }
  }

  async close(): Promise<void> {
    this.#payloads.clear()
  }
}
