import { InvokeCommand } from '@aws-sdk/client-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { invokePath, lambdaClient, spawnServe } from './helpers.js'

const MB = 1024 * 1024
const TRIES = 12

describe('a body over the limit by its Content-Length', () => {
  // Its own process: in the test's, the client's writes and the server's
  // reads would take turns on one event loop, and the race would not show.
  let serve: ReturnType<typeof spawnServe>
  const server = { url: '' }

  beforeAll(async () => {
    serve = spawnServe(['.', '--port', '0'])
    server.url = `http://127.0.0.1:${await serve.port}`
  })
  afterAll(async () => {
    serve.child.kill('SIGKILL')
    await serve.exited
  })

  // The answer goes out while the client is still sending: a socket closed
  // with its data unread is reset, and the client lost the 413 with it.
  it('reaches the AWS SDK as RequestTooLargeException, every time', async () => {
    const lambda = lambdaClient(server.url)
    const payload = new Uint8Array(7 * MB).fill(0x20)
    for (let i = 0; i < TRIES; i++) {
      const error = await lambda.send(new InvokeCommand({ FunctionName: 'hello', Payload: payload })).then(
        () => null,
        (thrown: Error) => thrown,
      )
      expect(error?.name).toBe('RequestTooLargeException')
    }
  })

  it('reaches fetch as a 413 with Connection: close, every time', async () => {
    const body = new Uint8Array(7 * MB).fill(0x20)
    for (let i = 0; i < TRIES; i++) {
      const response = await fetch(`${server.url}${invokePath('hello')}`, { method: 'POST', body })
      expect(response.status).toBe(413)
      expect(response.headers.get('connection')).toBe('close')
      expect(await response.json()).toMatchObject({ Type: 'User' })
    }
  })
})
