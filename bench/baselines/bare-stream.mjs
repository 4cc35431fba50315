import { createServer } from 'node:http'
import { produce } from '../fixtures/produce.mjs'
import { listening } from '../lib/servers.mjs'

/**
 * The streaming baseline: a bare `node:http` server answering with a
 * chunked response from the same producer, with no gateway, host or worker
 * thread in between.
 */
export function startBareStreamServer() {
  const server = createServer((req, res) => {
    const megabytes = Number(new URL(req.url, 'http://x').searchParams.get('megabytes') ?? 1)
    res.writeHead(200, { 'content-type': 'application/octet-stream' })
    void produce(res, megabytes)
  })
  server.listen(0, '127.0.0.1')
  return listening(server)
}
