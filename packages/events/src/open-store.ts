import { createEmbeddedStore } from './embedded-store.js'
import type { EventStore } from './event-store.js'
import { createMemoryStore } from './memory-store.js'

/**
 * What `store` may say: a directory, `memory`, `redis://…` (or `rediss://…`),
 * `postgres://…` (or `postgresql://…`), or a store already made.
 */
export type StoreSpec = string | EventStore

export type StoreKind = 'memory' | 'embedded' | 'redis' | 'postgres'

const ACCEPTED = 'a directory, memory, redis://host:port or postgres://user:password@host:port/db'

/** Which adapter a spec names, or why it names none (for config validation). */
export function storeKind(spec: string): { ok: true; kind: StoreKind } | { ok: false; message: string } {
  if (spec === 'memory') return { ok: true, kind: 'memory' }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(spec)?.[1]?.toLowerCase()
  if (scheme === undefined) {
    return spec.trim() === '' ? { ok: false, message: `${ACCEPTED}, not ""` } : { ok: true, kind: 'embedded' }
  }
  if (scheme === 'redis' || scheme === 'rediss') return { ok: true, kind: 'redis' }
  if (scheme === 'postgres' || scheme === 'postgresql') return { ok: true, kind: 'postgres' }
  return { ok: false, message: `${ACCEPTED}, not a "${scheme}://" URL` }
}

/** Opens the store a spec names; rejects with a one-line Error when it cannot be reached. */
export async function openStore(
  spec: StoreSpec,
  options: { prefix?: string; leaseMs?: number } = {},
): Promise<EventStore> {
  if (typeof spec !== 'string') return spec
  const kind = storeKind(spec)
  if (!kind.ok) throw new TypeError(`Expected \`store\` to be ${kind.message}`)
  switch (kind.kind) {
    case 'memory':
      return createMemoryStore()
    case 'embedded':
      return createEmbeddedStore(spec)
    case 'redis':
    case 'postgres': {
      // Loaded only when asked for, so an embedded server never loads BullMQ.
      const { createBullmqStore } = await import('./bullmq-store.js')
      return createBullmqStore({
        url: spec,
        ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
        // A dead instance's events come back within lease + 2 × this.
        ...(options.leaseMs === undefined
          ? {}
          : { stalledIntervalMs: Math.min(5_000, Math.ceil(options.leaseMs / 2)) }),
      })
    }
  }
}
