import { randomBytes } from 'node:crypto'
import { QueueError } from '@lambdalet/protocol'
import type { Lease } from './event-store.js'

interface Held {
  queue: string
  lease: Lease
  /** Forgets the handle when the visibility timeout runs out. */
  timer?: NodeJS.Timeout
}

/**
 * The receipt handles this process gave out, each to the lease it stands
 * for, until the message is deleted or its visibility timeout runs out. A
 * handle names its queue and message and carries a random nonce, so one of
 * ours that holds nothing any more (SQS answers success to deleting it) can
 * be told from one that was never ours (`ReceiptHandleIsInvalid`).
 */
export class ReceiptHandles {
  readonly #held = new Map<string, Held>()

  issue(queue: string, lease: Lease, visibilityMs: number): string {
    const handle = Buffer.from(JSON.stringify([queue, lease.event.id, randomBytes(12).toString('base64url')])).toString(
      'base64url',
    )
    const held: Held = { queue, lease }
    this.#held.set(handle, held)
    this.#expireIn(handle, held, visibilityMs)
    return handle
  }

  /** The lease a handle holds; `null` for a handle of ours that holds none now; throws for one that is not ours. */
  lease(queue: string, handle: string): Lease | null {
    const held = this.#held.get(handle)
    if (held !== undefined && held.queue === queue) return held.lease
    let decoded: unknown
    try {
      decoded = JSON.parse(Buffer.from(String(handle), 'base64url').toString('utf8'))
    } catch {
      decoded = null
    }
    if (Array.isArray(decoded) && decoded.length === 3 && decoded[0] === queue) return null
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
