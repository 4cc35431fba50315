import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setup } from './helpers.js'
import { type RedisServer, startRedisServer } from './redis-server.js'

describe('a store that goes down', () => {
  let redis: RedisServer
  beforeAll(async () => {
    redis = await startRedisServer()
  })
  afterAll(async () => {
    await redis?.stop()
  })

  it('refuses an Event with ServiceException (503) instead of accepting what it cannot keep, and accepts again once it is back', async () => {
    const { queue } = await setup({ slow: { handler: 'slow.mjs' } }, { store: redis.url })
    await expect(queue.invokeAsync('slow', { n: 1 })).resolves.toEqual(expect.any(String))
    const port = redis.port
    await redis.stop()
    await expect(queue.invokeAsync('slow', { n: 2 })).rejects.toMatchObject({
      errorType: 'ServiceException',
      statusCode: 503,
      message: expect.stringMatching(/^The event was not stored: /),
    })
    redis = await startRedisServer({ port })
    await expect
      .poll(
        () =>
          queue.invokeAsync('slow', { n: 3 }).then(
            () => 'accepted',
            (error: Error) => error.message,
          ),
        { timeout: 15_000 },
      )
      .toBe('accepted')
    expect(queue.stats().functions.slow!.received).toBe(2)
  })
})
