import { createPostgresBackend, Queue, runMigrations, Worker } from 'bullmq'
import pg from 'pg'
import {
  type AnyQueue,
  type AnyWorker,
  type BackendOptions,
  type BullmqBackend,
  errorLine,
  type IndexEntry,
} from './bullmq-backend.js'

/** BullMQ's schema check takes only simple identifiers; the store's prefix names the schema. */
const SCHEMA = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/
/**
 * Connections per queue and per worker. BullMQ builds a pool for each (and a
 * worker's own LISTEN connection besides), so a function costs at most
 * 2 + 2 + 1 connections per instance; idle ones close after 10 s.
 */
const LANE_POOL_MAX = 2

/**
 * BullMQ on PostgreSQL: one schema (the store's prefix) holding BullMQ's
 * tables and the store's two of its own, the usage index and the
 * event-invoke-configs. BullMQ's migrations run once here at start, under
 * its advisory lock, so instances starting together do not race.
 */
export async function openPostgresBackend(options: BackendOptions): Promise<BullmqBackend> {
  const { url, prefix: schema, connectTimeoutMs, onError } = options
  const description = describePostgresUrl(url)
  if (!SCHEMA.test(schema)) {
    throw new Error(
      `Expected \`prefix\` to be a PostgreSQL schema name (letters, digits and _, not starting with a digit), got \`${schema}\``,
    )
  }
  const password = new URL(url).password
  const scrub = (message: string) =>
    password === '' ? message : message.split(decodeURIComponent(password)).join('***')
  const connection = { connectionString: url, connectionTimeoutMillis: connectTimeoutMs }
  const pool = new pg.Pool({ ...connection, max: 4, options: `-c search_path="${schema}"` })
  // An idle client whose server went away is reported here; without a listener it would crash the process.
  pool.on('error', (error) => onError(error))
  let client: pg.PoolClient
  try {
    client = await pool.connect()
  } catch (error) {
    await pool.end().catch(() => {})
    throw new Error(`cannot reach the store at ${description}: ${scrub(errorLine(error))}`)
  }
  try {
    await runMigrations(client, schema)
    await client.query('BEGIN')
    // The same lock as BullMQ's migrations, on another key: two instances creating the tables at once would collide.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`lambdalet:${schema}`])
    await client.query(`CREATE TABLE IF NOT EXISTS lambdalet_event (
      fn text NOT NULL, id text NOT NULL, accepted_at bigint NOT NULL, bytes bigint NOT NULL, PRIMARY KEY (fn, id))`)
    await client.query('CREATE INDEX IF NOT EXISTS lambdalet_event_oldest ON lambdalet_event (fn, accepted_at, id)')
    await client.query('CREATE TABLE IF NOT EXISTS lambdalet_config (fn text PRIMARY KEY, entry text NOT NULL)')
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    client.release()
    await pool.end().catch(() => {})
    throw new Error(`cannot prepare the store at ${description}: ${scrub(errorLine(error))}`)
  }
  client.release()
  const lane = { ...connection, schema, max: LANE_POOL_MAX }
  return {
    description,
    delayWritesData: false,
    queue: (name, queueOptions) =>
      new Queue(name, { ...queueOptions, connection: lane }, createPostgresBackend) as unknown as AnyQueue,
    worker: (name, workerOptions, processor) =>
      new Worker(
        name,
        processor ?? null,
        { ...workerOptions, connection: lane },
        createPostgresBackend,
      ) as unknown as AnyWorker,
    async indexedFunctions() {
      const { rows } = await pool.query<{ fn: string }>('SELECT DISTINCT fn FROM lambdalet_event')
      return rows.map((row) => row.fn)
    },
    async indexAdd(fn: string, entries: readonly IndexEntry[]) {
      await pool.query(
        `INSERT INTO lambdalet_event (fn, id, accepted_at, bytes)
         SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::bigint[]) ON CONFLICT DO NOTHING`,
        [
          fn,
          entries.map((entry) => entry.id),
          entries.map((entry) => entry.acceptedAt),
          entries.map((entry) => entry.bytes),
        ],
      )
    },
    async indexRemove(fn: string, ids: readonly string[]) {
      await pool.query('DELETE FROM lambdalet_event WHERE fn = $1 AND id = ANY($2::text[])', [fn, ids])
    },
    async indexBytes(fn) {
      const { rows } = await pool.query<{ bytes: string }>(
        'SELECT COALESCE(sum(bytes), 0)::text AS bytes FROM lambdalet_event WHERE fn = $1',
        [fn],
      )
      return Number(rows[0]?.bytes ?? 0)
    },
    async indexOldest(fn) {
      const { rows } = await pool.query<{ id: string; accepted_at: string }>(
        'SELECT id, accepted_at::text FROM lambdalet_event WHERE fn = $1 ORDER BY accepted_at, id LIMIT 1',
        [fn],
      )
      const row = rows[0]
      return row ? { id: row.id, acceptedAt: Number(row.accepted_at) } : null
    },
    async loadConfigs() {
      const { rows } = await pool.query<{ fn: string; entry: string }>('SELECT fn, entry FROM lambdalet_config')
      return Object.fromEntries(rows.map((row) => [row.fn, row.entry]))
    },
    async saveConfig(fn, json) {
      if (json === null) await pool.query('DELETE FROM lambdalet_config WHERE fn = $1', [fn])
      else
        await pool.query(
          'INSERT INTO lambdalet_config (fn, entry) VALUES ($1, $2) ON CONFLICT (fn) DO UPDATE SET entry = EXCLUDED.entry',
          [fn, json],
        )
    },
    async close() {
      await pool.end().catch(() => {})
    },
  }
}

/** `postgres://user:***@host:port/db`: the password never reaches a log line. */
export function describePostgresUrl(url: string): string {
  const parsed = new URL(url)
  const user = parsed.username === '' ? '' : `${parsed.username}${parsed.password === '' ? '' : ':***'}@`
  return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`
}
