// The cold-start baseline: a fresh thread imports the handler's module and
// answers one event, nothing else.
import { parentPort, workerData } from 'node:worker_threads'

const { handler } = await import(workerData.moduleUrl)
parentPort.once('message', async (event) => {
  parentPort.postMessage(JSON.stringify(await handler(JSON.parse(event), {})))
})
