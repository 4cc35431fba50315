import { randomBytes } from 'node:crypto'
import { QueueError } from '@lambdalet/protocol'
import type { Lease } from './event-store.js'

export type Found =
  | { kind: 'held'; lease: Lease }
  | { kind: 'foreign'; eventId: string; token: string }
  | { kind: 'stale' }

interface Held {
  queue: string
  lease: Lease
  /** Forgets the handle when the visibility timeout runs out. */
  timer?: NodeJS.Timeout
}

/**
 * The receipt handles this process gave out, each to the lease it stands
 * for, until the message is deleted or its visibility timeout runs out. A
 * handle names its queue and message and carries a random nonce (and, on a
 * shared store, the lease's token), so one of ours that holds nothing any
 * more (SQS answers success to deleting it) can be told from one that was
 * never ours (`ReceiptHandleIsInvalid`).
 */
export class ReceiptHandles {
  readonly #held = new Map<string, Held>()

  issue(queue: string, lease: Lease, visibilityMs: number): string {
    const parts = [queue, lease.event.id, randomBytes(12).toString('base64url')]
    // A shared store's lease token lets another instance settle it.
    if (lease.token !== undefined) parts.push(lease.token)
    const handle = Buffer.from(JSON.stringify(parts)).toString('base64url')
    const held: Held = { queue, lease }
    this.#held.set(handle, held)
    this.#expireIn(handle, held, visibilityMs)
    return handle
  }

  /**
   * What a handle stands for here: the lease this process holds; a lease of
   * a shared store that another process holds (`foreign`); or, for a handle
   * of ours that holds nothing now, `stale`. Throws for one that is not ours.
   */
  find(queue: string, handle: string): Found {
    const held = this.#held.get(handle)
    if (held !== undefined && held.queue === queue) return { kind: 'held', lease: held.lease }
    let decoded: unknown
    try {
      decoded = JSON.parse(Buffer.from(String(handle), 'base64url').toString('utf8'))
    } catch {
      decoded = null
    }
    if (Array.isArray(decoded) && decoded[0] === queue && decoded.every((part) => typeof part === 'string')) {
      const [, eventId, , token] = decoded as string[]
      if (decoded.length === 4 && eventId !== undefined && token !== undefined)
        return { kind: 'foreign', eventId, token }
      if (decoded.length === 3) return { kind: 'stale' }
    }
    throw new QueueError(
      'ReceiptHandleIsInvalid',
      `The input receipt handle "${String(handle).slice(0, 100)}" is not a valid receipt handle.`,
    )
  }

  /** The message stays hidden `ms` more: so does its handle. */
  extend(handle: string, ms: number): void {
    const held = this.#held.get(handle)
    if (held !== undefined) this.#expireIn(handle, held, ms)
  }

  forget(handle: string): void {
    const held = this.#held.get(handle)
    if (held === undefined) return
    clearTimeout(held.timer)
    this.#held.delete(handle)
  }

  forgetQueue(queue: string): void {
    for (const [handle, held] of this.#held) if (held.queue === queue) this.forget(handle)
  }

  clear(): void {
    for (const handle of [...this.#held.keys()]) this.forget(handle)
  }

  #expireIn(handle: string, held: Held, ms: number): void {
    clearTimeout(held.timer)
    held.timer = setTimeout(() => this.forget(handle), Math.max(1, ms))
    held.timer.unref()
  }
}
