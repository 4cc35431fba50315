import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './free-port.js'

export interface RedisServer {
  readonly url: string
  readonly port: number
  readonly pid: number
  stop(): Promise<void>
}

/**
 * Starts a throwaway `redis-server` on a free loopback port, with no
 * persistence, in a temporary directory; resolves once it answers PING.
 * `port` starts it on a given port instead (a restart of the same server).
 */
export async function startRedisServer({ port = 0, timeoutMs = 10_000 } = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'lambdalet-redis-'))
  port ||= await freePort()
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1', '--dir', dir],
    {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000)))
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000)))
  const exited = new Promise<Error>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      resolve(
        error.code === 'ENOENT'
          ? new Error(
              'redis-server is not installed; the BullMQ store tests need a real one (apt-get install -y redis-server)',
            )
          : error,
      )
    })
    child.once('exit', (code, signal) =>
      resolve(new Error(`redis-server exited (${signal ?? code}) before answering PING:\n${output}`)),
    )
  })
  const stop = async () => {
    await kill(child)
    await rm(dir, { recursive: true, force: true })
  }
  try {
    const failed = await Promise.race([exited, answersPing(port, timeoutMs).then(() => null)])
    if (failed) throw failed
  } catch (error) {
    await stop()
    throw error
  }
  return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid!, stop }
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  process.kill(child.pid, 'SIGTERM')
  const timer = setTimeout(() => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), 5000)
  try {
    await exit
  } finally {
    clearTimeout(timer)
  }
}

async function answersPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await ping(port)) return
    if (Date.now() > deadline)
      throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    let reply = ''
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => {
      reply += chunk.toString()
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'))
    })
  })
}
