import { Queue, Worker } from 'bullmq'
import { Redis } from 'ioredis'
import {
  type AnyQueue,
  type AnyWorker,
  type BackendOptions,
  type BullmqBackend,
  errorLine,
  type IndexEntry,
} from './bullmq-backend.js'

/**
 * Usage index per function, kept beside BullMQ's own keys: a sorted set of
 * event ids by `acceptedAt` (the oldest event), their sizes, and the byte
 * total. Both scripts are idempotent, so an event indexed twice or removed
 * twice changes nothing.
 */
const INDEX_ADD = `
for i = 2, #ARGV, 3 do
  if redis.call('ZADD', KEYS[1], 'NX', ARGV[i + 1], ARGV[i]) == 1 then
    redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 2])
    redis.call('HINCRBY', KEYS[3], ARGV[1], ARGV[i + 2])
  end
end`
const INDEX_REMOVE = `
for i = 2, #ARGV do
  if redis.call('ZREM', KEYS[1], ARGV[i]) == 1 then
    local size = redis.call('HGET', KEYS[2], ARGV[i])
    redis.call('HDEL', KEYS[2], ARGV[i])
    if size then redis.call('HINCRBY', KEYS[3], ARGV[1], -tonumber(size)) end
  end
end`

type IndexedRedis = Redis & {
  lambdaletIndexAdd(
    accepted: string,
    sizes: string,
    totals: string,
    fn: string,
    ...triples: (string | number)[]
  ): Promise<unknown>
  lambdaletIndexRemove(accepted: string, sizes: string, totals: string, fn: string, ...ids: string[]): Promise<unknown>
}

/** BullMQ on Redis: one prefix of keys, two connections (one failing fast, one for workers that must wait). */
export async function openRedisBackend(options: BackendOptions): Promise<BullmqBackend> {
  const description = describeRedisUrl(options.url)
  // Queues and the store's own commands fail fast while Redis is away, so an
  // accept answers 5xx instead of hanging; workers (and the blocking
  // connections BullMQ duplicates from theirs) must wait and retry instead.
  const conn = (await connect(options, description, true)) as IndexedRedis
  let workerConn: Redis
  try {
    workerConn = await connect(options, description, false)
  } catch (error) {
    conn.disconnect()
    throw error
  }
  conn.defineCommand('lambdaletIndexAdd', { numberOfKeys: 3, lua: INDEX_ADD })
  conn.defineCommand('lambdaletIndexRemove', { numberOfKeys: 3, lua: INDEX_REMOVE })
  const { prefix } = options
  // Function names have no dot, so these never meet a queue's own keys.
  const key = (name: string) => `${prefix}:${name}`
  const indexKeys = (fn: string): [string, string, string] => [
    key(`.accepted:${fn}`),
    key(`.sizes:${fn}`),
    key('.bytes'),
  ]
  return {
    description,
    delayWritesData: true,
    queue: (name, queueOptions) =>
      new Queue(name, { ...queueOptions, connection: conn, prefix }) as unknown as AnyQueue,
    worker: (name, workerOptions, processor) =>
      new Worker(name, processor ?? null, { ...workerOptions, connection: workerConn, prefix }) as unknown as AnyWorker,
    indexedFunctions: () => conn.hkeys(key('.bytes')),
    async indexAdd(fn: string, entries: readonly IndexEntry[]) {
      const triples = entries.flatMap((entry) => [entry.id, entry.acceptedAt, entry.bytes])
      await conn.lambdaletIndexAdd(...indexKeys(fn), fn, ...triples)
    },
    async indexRemove(fn: string, ids: readonly string[]) {
      await conn.lambdaletIndexRemove(...indexKeys(fn), fn, ...ids)
    },
    indexBytes: async (fn) => Number((await conn.hget(key('.bytes'), fn)) ?? 0),
    async indexOldest(fn) {
      const [id, score] = await conn.zrange(indexKeys(fn)[0], '0', '0', 'WITHSCORES')
      return id === undefined || score === undefined ? null : { id, acceptedAt: Number(score) }
    },
    loadConfigs: () => conn.hgetall(key('.configs')),
    async saveConfig(fn, json) {
      if (json === null) await conn.hdel(key('.configs'), fn)
      else await conn.hset(key('.configs'), fn, json)
    },
    async close() {
      await Promise.allSettled([conn.quit(), workerConn.quit()])
    },
  }
}

async function connect(
  { url, connectTimeoutMs, onError }: BackendOptions,
  description: string,
  failFast: boolean,
): Promise<Redis> {
  let connected = false
  let lastError: Error | undefined
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    // No retries before the first connection: a store that is down at start is an error, not a wait.
    retryStrategy: (times) => (connected ? Math.min(times * 200, 2000) : null),
    ...(failFast ? { maxRetriesPerRequest: 1, enableOfflineQueue: false } : { maxRetriesPerRequest: null }),
  })
  redis.on('error', (error: Error) => {
    lastError = error
    if (connected) onError(error)
  })
  try {
    await redis.connect()
  } catch (error) {
    redis.disconnect()
    throw new Error(`cannot reach the store at ${description}: ${errorLine(lastError ?? error)}`)
  }
  connected = true
  return redis
}

function describeRedisUrl(url: string): string {
  const parsed = new URL(url)
  // Without the credentials: the description is printed at start.
  return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`
}
