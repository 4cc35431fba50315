import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe } from 'vitest'
import { type RedisServer, startRedisServer } from './redis-server.js'
import { sharedScheduleTests } from './shared-schedules.js'

let redis: RedisServer

beforeAll(async () => {
  redis = await startRedisServer()
})
afterAll(async () => {
  await redis?.stop()
})

describe('schedules on BullMQ and Redis', () => {
  sharedScheduleTests('a Redis', () => ({ url: redis.url, prefix: `s-${randomUUID()}`, stalledIntervalMs: 500 }))
})
