import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { createEventQueue, type EventQueue, type ScheduleOptions, type StoreSpec } from '@lambdalet/events'
import {
  createGateway,
  createLifecycle,
  type GatewayLogger,
  type Lifecycle,
  type PayloadFormatVersion,
} from '@lambdalet/gateway'
import { createHost, type FunctionOptions, type Host, type HostOptions } from '@lambdalet/host'
import type { EventInvokeConfig } from '@lambdalet/protocol'
import { ConfigError } from '../config/config-error.js'
import { scheduleOptions } from '../config/event-sources.js'
import { asyncConfig, type FunctionDefinition, hostFunctionOptions } from '../config/function-definition.js'
import { createLogWriter, toStderr, toStdout } from '../logging/log-writer.js'
import { describeFunctions } from './function-descriptions.js'
import { isLoopback, origin } from './listen-address.js'
import { DEFAULT_LIMITS, type ServerLimits, serverOptions } from './server-limits.js'

export interface StartServerOptions {
  functions: Record<string, FunctionDefinition>
  /** Invocations running at once, all functions together. */
  maxConcurrency?: number
  region?: string
  accountId?: string
  /** Default 3000; 0 picks a free port. */
  port?: number
  /** Default 127.0.0.1. Any non-loopback address needs `apiKey` or `insecureNoAuth`. */
  host?: string
  /** Required as `Authorization: Bearer <apiKey>` on every route except /healthz. */
  apiKey?: string
  insecureNoAuth?: boolean
  /** How long `close()` waits for in-flight requests and `Event` invocations; default 10000. */
  drainTimeoutMs?: number
  /** The host's log sink (default: Lambda-style lines on stdout, escaped, prefixed with the function name). */
  logs?: HostOptions['logs']
  /** Gateway-level records (a failed `Event` invocation); default: text lines on stderr. */
  logger?: GatewayLogger
  limits?: Partial<ServerLimits>
  /** Where Event invocations are kept: a directory (durable), `memory`, `redis://…`; default `memory`. */
  store?: StoreSpec
  /** The waits before the first and second retry of a failed Event invocation; default [60000, 120000]. */
  retryDelaysMs?: [number, number]
  throttleBackoffMs?: { initial: number; max: number }
  /** On a shared store, how long an instance holds an event before another may take it; default 30000. */
  leaseMs?: number
}

export interface RunningServer {
  /** `http://127.0.0.1:PORT` */
  url: string
  port: number
  host: Host
  /** The asynchronous side: Event invocations, retries, destinations. */
  events: EventQueue
  lifecycle: Lifecycle
  server: Server
  /**
   * Graceful stop: new requests get 503, in-flight ones and accepted `Event`
   * invocations finish (up to the drain timeout), then the workers are
   * terminated. Resolves `true` when everything finished in time.
   */
  close(): Promise<boolean>
}

/** Starts the host, the gateway and an HTTP server; resolves once it listens. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const hostname = options.host ?? '127.0.0.1'
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000
  if (!isLoopback(hostname) && options.apiKey === undefined && options.insecureNoAuth !== true) {
    throw new ConfigError([
      `refusing to listen on ${hostname} without an API key: anyone who can reach it could run your functions. ` +
        'Set LAMBDALET_API_KEY (or --api-key), or pass --insecure-no-auth if you really mean it.',
    ])
  }

  const functions: Record<string, FunctionOptions> = {}
  const routes: Record<string, string[]> = {}
  const payloadFormatVersions: Record<string, PayloadFormatVersion> = {}
  const asyncConfigs: Record<string, EventInvokeConfig> = {}
  const schedules: ScheduleOptions[] = []
  for (const [name, definition] of Object.entries(options.functions)) {
    functions[name] = hostFunctionOptions(definition)
    if (definition.routes.length > 0) routes[name] = definition.routes
    if (definition.payloadFormatVersion !== undefined) payloadFormatVersions[name] = definition.payloadFormatVersion
    asyncConfigs[name] = asyncConfig(definition)
    schedules.push(...scheduleOptions(name, definition.events))
  }
  let host: Host
  try {
    host = createHost({
      functions,
      maxConcurrency: options.maxConcurrency,
      region: options.region,
      accountId: options.accountId,
      // Escaped, so a function cannot forge log lines or send terminal escapes.
      logs: options.logs ?? createLogWriter('text', toStdout).entry,
      // Every invocation here comes through the gateway, whose lifecycle
      // already waited for it; whatever is still running after that drain
      // has had its time and is terminated at once.
      drainTimeoutMs: 0,
    })
  } catch (error) {
    throw new ConfigError([(error as Error).message])
  }

  const logger = options.logger ?? createLogWriter('text', toStderr).gateway
  let events: EventQueue
  try {
    events = await createEventQueue({
      invoker: host,
      store: options.store ?? 'memory',
      functions: asyncConfigs,
      schedules,
      retryDelaysMs: options.retryDelaysMs,
      throttleBackoffMs: options.throttleBackoffMs,
      leaseMs: options.leaseMs,
      logger,
      region: options.region,
      accountId: options.accountId,
    })
  } catch (error) {
    await host.close()
    // A locked directory, an unreachable Redis: one line, exit code 2.
    // Invalid options (schedules of an embedding caller) are told as they are.
    const message = (error as Error).message
    throw new ConfigError([error instanceof TypeError ? message : `cannot open the event store: ${message}`])
  }

  const lifecycle = createLifecycle()
  let server: Server
  try {
    const app = createGateway(host, {
      events,
      routes,
      payloadFormatVersions,
      functions: describeFunctions(options.functions),
      lifecycle,
      logger,
      apiKey: options.apiKey,
      region: options.region,
      accountId: options.accountId,
    })
    // A keep-alive connection must not outlive the shutdown: the response
    // that finishes its in-flight request also closes it. (Touching
    // `response.headers` otherwise would cost every request a Headers.)
    const closeConnection = (response: Response): Response => {
      if (lifecycle.closing) response.headers.set('Connection', 'close')
      return response
    }
    const fetch = (request: Request, env: unknown): Response | Promise<Response> => {
      const response = app.fetch(request, env as object)
      return response instanceof Promise ? response.then(closeConnection) : closeConnection(response)
    }
    server = await listen(fetch, hostname, options.port ?? 3000, { ...DEFAULT_LIMITS, ...options.limits })
  } catch (error) {
    await events.close(0)
    await host.close()
    // The gateway reports bad routes or a malformed API key as TypeErrors.
    throw error instanceof TypeError ? new ConfigError([error.message]) : error
  }

  // Past listening, an 'error' is an accept failure (EMFILE…): worth a line, not a crash.
  server.on('error', (error) => logger({ level: 'error', message: 'HTTP server error', errorMessage: error.message }))
  const port = (server.address() as AddressInfo).port
  let closing: Promise<boolean> | null = null
  return {
    url: origin(hostname, port),
    port,
    host,
    events,
    lifecycle,
    server,
    close() {
      closing ??= shutdown(server, lifecycle, events, host, drainTimeoutMs)
      return closing
    },
  }
}

function listen(
  fetch: (request: Request, env: unknown) => Response | Promise<Response>,
  hostname: string,
  port: number,
  limits: ServerLimits,
): Promise<Server> {
  return new Promise((resolve, reject) => {
    // Always with `hostname`: without it serve() listens on every interface.
    const server = serve({ fetch, hostname, port, serverOptions: serverOptions(limits) }) as Server
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(new Error(`cannot listen on ${origin(hostname, port)}: ${error.code ?? error.message}`))
    }
    server.once('error', onError)
    server.once('listening', () => {
      server.off('error', onError)
      resolve(server)
    })
  })
}

async function shutdown(
  server: Server,
  lifecycle: Lifecycle,
  events: EventQueue,
  host: Host,
  drainTimeoutMs: number,
): Promise<boolean> {
  const started = Date.now()
  lifecycle.beginShutdown()
  // Stops accepting connections and closes the idle ones (Node ≥ 19).
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  const requestsDrained = await lifecycle.drain(drainTimeoutMs)
  // Queued events stop being taken; the ones running get what is left of
  // the drain, and whatever is not finished stays in the store for the next start.
  const eventsDrained = await events.close(Math.max(0, drainTimeoutMs - (Date.now() - started)))
  const drained = requestsDrained && eventsDrained
  // Connections that answered their last request close themselves; give the
  // last responses a moment to flush, then cut whatever is left (a client
  // that never finished sending its request, or one past the drain timeout).
  const grace = setTimeout(() => server.closeAllConnections(), drained ? 1_000 : 0)
  await closed
  clearTimeout(grace)
  await host.close()
  return drained
}
