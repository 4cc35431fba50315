import type { MessagePort } from 'node:worker_threads'
import type { HostMessage, InvokeMessage } from '@lambdalet/protocol'

/**
 * The runtime's side of the long-poll: `receive()` resolves with the next
 * `invoke` from the host. The host sends one `invoke` per `next`, so at most
 * one waits here.
 */
export class PortInbox {
  #waiting: ((message: InvokeMessage) => void) | null = null
  #pending: InvokeMessage[] = []

  constructor(port: MessagePort) {
    port.on('message', (message: HostMessage) => {
      // Stream credits and cancels go to the open response stream instead.
      if (message.type !== 'invoke') return
      const waiting = this.#waiting
      if (waiting === null) {
        this.#pending.push(message)
        return
      }
      this.#waiting = null
      waiting(message)
    })
  }

  receive(): Promise<InvokeMessage> {
    const message = this.#pending.shift()
    if (message !== undefined) return Promise.resolve(message)
    return new Promise((resolve) => {
      this.#waiting = resolve
    })
  }
}
