import type { MessagePort } from 'node:worker_threads'
import type { InvokeMessage } from '@lambdalet/protocol'

/**
 * The runtime's side of the long-poll: `receive()` resolves with the next
 * message from the host. The host sends one `invoke` per `next`, so at most
 * one message waits here.
 */
export class PortInbox {
  #waiting: ((message: InvokeMessage) => void) | null = null
  #pending: InvokeMessage[] = []

  constructor(port: MessagePort) {
    port.on('message', (message: InvokeMessage) => {
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
