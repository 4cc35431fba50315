import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { freePort } from './free-port.js'

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:PORT/postgres`; trust auth, so any password is accepted. */
  readonly url: string
  readonly port: number
  stop(): Promise<void>
}

const run = promisify(execFile)
const OS_USER = 'postgres'

/**
 * Starts a throwaway PostgreSQL on a free loopback port, with its data in a
 * temporary directory and trust auth; resolves once it answers a query.
 * Postgres refuses to run as root (as tests do here and in CI), so then it
 * runs as the `postgres` OS user, in a directory that user owns.
 */
export async function startPostgresServer({ timeoutMs = 30_000 } = {}): Promise<PostgresServer> {
  const bin = findBinaries()
  const asRoot = process.getuid?.() === 0
  const dir = await mkdtemp(join(tmpdir(), 'lambdalet-postgres-'))
  const data = join(dir, 'data')
  const as = (command: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', OS_USER, '--', command, ...args]] : [command, args]
  let child: ChildProcess | undefined
  const stop = async () => {
    if (child) await stopServer(child, data)
    await rm(dir, { recursive: true, force: true })
  }
  try {
    if (asRoot) {
      const [uid, gid] = await Promise.all([run('id', ['-u', OS_USER]), run('id', ['-g', OS_USER])])
      await chown(dir, Number(uid.stdout), Number(gid.stdout))
    }
    // No fsync: the tests kill processes that use the server, never the server itself.
    await run(...as(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']))
    const port = await freePort()
    const server = spawn(
      ...as(join(bin, 'postgres'), [
        '-D',
        data,
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
        '-c',
        'max_connections=200',
      ]),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    child = server
    let output = ''
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000))
    server.stdout.on('data', keep)
    server.stderr.on('data', keep)
    const exited = new Promise<Error>((resolve) => {
      server.once('error', resolve)
      server.once('exit', (code, signal) =>
        resolve(new Error(`postgres exited (${signal ?? code}) before accepting connections:\n${output}`)),
      )
    })
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`
    const failed = await Promise.race([exited, acceptsQueries(url, timeoutMs).then(() => null)])
    if (failed) throw failed
    return { url, port, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

function findBinaries(): string {
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin/initdb'))) : []
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0]
  if (newest === undefined) {
    throw new Error(
      `PostgreSQL's server is not installed (no ${root}/*/bin/initdb); the BullMQ PostgreSQL store tests need a real one (apt-get install -y postgresql)`,
    )
  }
  return join(root, newest, 'bin')
}

/** By the postmaster's PID from its pid file (under runuser the child is runuser), with a fast shutdown. */
async function stopServer(child: ChildProcess, data: string): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const pid = Number((await readFile(join(data, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]) || child.pid
  if (pid !== undefined) process.kill(pid, 'SIGINT')
  const timer = setTimeout(() => pid !== undefined && process.kill(pid, 'SIGQUIT'), 5000)
  try {
    await exit
  } finally {
    clearTimeout(timer)
  }
}

async function acceptsQueries(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 })
    try {
      await client.connect()
      await client.query('SELECT 1')
      return
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(
          `postgres at ${url} did not accept connections within ${timeoutMs} ms: ${(error as Error).message}`,
        )
    } finally {
      await client.end().catch(() => {})
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
