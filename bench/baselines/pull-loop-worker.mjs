// The baseline runtime: the least a pull loop can do. Import the handler,
// say `next`, then for each event: parse it, call the handler, stringify the
// result and post it (which, as in lambdalet's protocol, also means `next`).
import { workerData } from 'node:worker_threads'

const { port, moduleUrl } = workerData
const { handler } = await import(moduleUrl)

port.on('message', async (message) => {
  const result = await handler(JSON.parse(message.event), {})
  port.postMessage({ id: message.id, body: JSON.stringify(result) })
})
port.postMessage({ type: 'next' })
