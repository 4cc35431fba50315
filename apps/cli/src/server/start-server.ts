import type { Server } from 'node:http'
import { type AddressInfo, Server as NetServer } from 'node:net'
import { serve } from '@hono/node-server'
import {
  createEventQueue,
  type EventQueue,
  type QueueMapping,
  type QueueSettings,
  type ScheduleOptions,
  type StoreSpec,
} from '@lambdalet/events'
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
import { queueMappings, scheduleOptions } from '../config/event-sources.js'
import { asyncConfig, type FunctionDefinition, hostFunctionOptions } from '../config/function-definition.js'
import { createLogWriter, toStderr, toStdout } from '../logging/log-writer.js'
import { describeFunctions } from './function-descriptions.js'
import { lingerOnClose } from './lingering-close.js'
import { isLoopback, origin, unbracket } from './listen-address.js'
import { DEFAULT_LIMITS, type ServerLimits, serverOptions } from './server-limits.js'

export interface StartServerOptions {
  functions: Record<string, FunctionDefinition>
  /** Invocations running at once, all functions together. */
  maxConcurrency?: number
  /** Worker threads, all functions together; default from the machine (see `createHost`). */
  maxThreads?: number
  /** Environments starting at once, all functions together; default one per core. */
  maxColdStarts?: number
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
  /** SQS-style queues, served over the SQS API; a function's `events` maps one to it (`{ "sqs": "orders" }`). */
  queues?: Record<string, QueueSettings>
  /** Recycle a function's environments when its code changes (the host's `watch`). */
  watch?: boolean
  /**
   * The server's environment (`process.env`): functions get its AWS
   * credentials (dummy ones without), the system variables and the
   * `inheritEnv` names from it, nothing else.
   */
  processEnv?: Readonly<Record<string, string | undefined>>
  /** Names of variables every function gets from `processEnv`. */
  inheritEnv?: string[]
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
   * Serves `functions` from now on: removed ones drain and go, new ones are
   * added, changed ones replaced, and the HTTP routes follow. Asynchronous
   * settings (retries, destinations, schedules) are the ones the server started with.
   * Resolves with what changed once removed functions are gone.
   */
  reload(
    functions: Record<string, FunctionDefinition>,
  ): Promise<{ added: string[]; removed: string[]; changed: string[] }>
  /**
   * Graceful stop: new requests get 503, in-flight ones and accepted `Event`
   * invocations finish (up to the drain timeout), then the workers are
   * terminated. Resolves `true` when everything finished in time.
   */
  close(): Promise<boolean>
}

/** An API key guessable by brute force is no key on a network. */
export const MIN_API_KEY_LENGTH = 16

/** Starts the host, the gateway and an HTTP server; resolves once it listens. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const hostname = options.host ?? '127.0.0.1'
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000
  if (!isLoopback(hostname) && options.apiKey === undefined && options.insecureNoAuth !== true) {
    throw new ConfigError([
      `refusing to listen on ${hostname} without an API key: anyone who can reach it could run your functions. ` +
        'Set LAMBDALET_API_KEY (or --api-key-file), or pass --insecure-no-auth if you really mean it.',
    ])
  }
  if (!isLoopback(hostname) && options.apiKey !== undefined && options.apiKey.length < MIN_API_KEY_LENGTH) {
    throw new ConfigError([
      `refusing to listen on ${hostname} with an API key of ${options.apiKey.length} characters: ` +
        `beyond loopback it must have at least ${MIN_API_KEY_LENGTH} (e.g. \`openssl rand -hex 32\`).`,
    ])
  }

  // Listening comes first: functions are told the server's own URL (the
  // real port when it is 0) before their environments start.
  const lifecycle = createLifecycle()
  let app: { fetch(request: Request, env: object): Response | Promise<Response> } | null = null
  // A keep-alive connection must not outlive the shutdown: the response
  // that finishes its in-flight request also closes it. (Touching
  // `response.headers` otherwise would cost every request a Headers.)
  const closeConnection = (response: Response): Response => {
    if (lifecycle.closing) response.headers.set('Connection', 'close')
    return response
  }
  const fetch = (request: Request, env: unknown): Response | Promise<Response> => {
    if (app === null) return Response.json({ message: 'Starting' }, { status: 503 })
    const response = app.fetch(request, env as object)
    return response instanceof Promise ? response.then(closeConnection) : closeConnection(response)
  }
  const server = await listen(fetch, hostname, options.port ?? 3000, { ...DEFAULT_LIMITS, ...options.limits })
  const port = (server.address() as AddressInfo).port
  const url = origin(hostname, port)
  const stopListening = () => new Promise<void>((resolve) => server.close(() => resolve()))

  const functions: Record<string, FunctionOptions> = {}
  const asyncConfigs: Record<string, EventInvokeConfig> = {}
  const schedules: ScheduleOptions[] = []
  const mappings: QueueMapping[] = []
  for (const [name, definition] of Object.entries(options.functions)) {
    functions[name] = hostFunctionOptions(definition)
    asyncConfigs[name] = asyncConfig(definition)
    schedules.push(...scheduleOptions(name, definition.events))
    mappings.push(...queueMappings(name, definition.events))
  }
  let host: Host
  try {
    host = createHost({
      functions,
      watch: options.watch === true,
      maxConcurrency: options.maxConcurrency,
      maxThreads: options.maxThreads,
      maxColdStarts: options.maxColdStarts,
      region: options.region,
      accountId: options.accountId,
      // Credentials and `inheritEnv` come from it; nothing else leaks.
      processEnv: options.processEnv,
      inheritEnv: options.inheritEnv,
      // An AWS SDK client inside a handler calls this server with no code change.
      awsEndpoints: { lambda: url, sqs: url },
      // Escaped, so a function cannot forge log lines or send terminal escapes.
      logs: options.logs ?? createLogWriter('text', toStdout).entry,
      // Every invocation here comes through the gateway, whose lifecycle
      // already waited for it; whatever is still running after that drain
      // has had its time and is terminated at once.
      drainTimeoutMs: 0,
    })
  } catch (error) {
    await stopListening()
    throw new ConfigError([(error as Error).message])
  }

  // Listening means watching: an edit made once the server says it listens is seen.
  await host.watching()
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
      queues: options.queues,
      mappings,
    })
  } catch (error) {
    await host.close()
    await stopListening()
    // A locked directory, an unreachable Redis: one line, exit code 2.
    // Invalid options (schedules of an embedding caller) are told as they are.
    const message = (error as Error).message
    throw new ConfigError([error instanceof TypeError ? message : `cannot open the event store: ${message}`])
  }

  const gatewayFor = (definitions: Record<string, FunctionDefinition>) => {
    const routes: Record<string, string[]> = {}
    const payloadFormatVersions: Record<string, PayloadFormatVersion> = {}
    for (const [name, definition] of Object.entries(definitions)) {
      if (definition.routes !== undefined && definition.routes.length > 0) routes[name] = definition.routes
      if (definition.payloadFormatVersion !== undefined) payloadFormatVersions[name] = definition.payloadFormatVersion
    }
    return createGateway(host, {
      events,
      queues: events.queues,
      routes,
      payloadFormatVersions,
      functions: describeFunctions(definitions),
      lifecycle,
      logger,
      apiKey: options.apiKey,
      region: options.region,
      accountId: options.accountId,
    })
  }
  let definitions = options.functions
  try {
    app = gatewayFor(definitions)
  } catch (error) {
    await events.close(0)
    await host.close()
    await stopListening()
    // The gateway reports bad routes or a malformed API key as TypeErrors.
    throw error instanceof TypeError ? new ConfigError([error.message]) : error
  }

  // Past listening, an 'error' is an accept failure (EMFILE…): worth a line, not a crash.
  server.on('error', (error) => logger({ level: 'error', message: 'HTTP server error', errorMessage: error.message }))
  let closing: Promise<boolean> | null = null
  return {
    url,
    port,
    host,
    events,
    lifecycle,
    server,
    async reload(next) {
      const change = diffFunctions(definitions, next)
      // Routes must stay unique and name served functions: checked before anything changes.
      const removing = [...change.removed, ...change.changed]
      const gone = Promise.all(removing.map((name) => host.removeFunction(name)))
      try {
        for (const name of [...change.added, ...change.changed]) {
          host.addFunction(name, hostFunctionOptions(next[name] as FunctionDefinition))
        }
        app = gatewayFor(next)
      } catch (error) {
        throw new ConfigError([(error as Error).message])
      }
      definitions = next
      await gone
      return change
    },
    close() {
      closing ??= shutdown(server, lifecycle, events, host, drainTimeoutMs)
      return closing
    },
  }
}

/** Which functions `next` adds, removes or defines differently from `current`. */
function diffFunctions(
  current: Record<string, FunctionDefinition>,
  next: Record<string, FunctionDefinition>,
): { added: string[]; removed: string[]; changed: string[] } {
  const added = Object.keys(next).filter((name) => !Object.hasOwn(current, name))
  const removed = Object.keys(current).filter((name) => !Object.hasOwn(next, name))
  const changed = Object.keys(next).filter(
    (name) => Object.hasOwn(current, name) && JSON.stringify(current[name]) !== JSON.stringify(next[name]),
  )
  return { added, removed, changed }
}

function listen(
  fetch: (request: Request, env: unknown) => Response | Promise<Response>,
  hostname: string,
  port: number,
  limits: ServerLimits,
): Promise<Server> {
  return new Promise((resolve, reject) => {
    // Always with `hostname`: without it serve() listens on every interface.
    const server = serve({ fetch, hostname: unbracket(hostname), port, serverOptions: serverOptions(limits) }) as Server
    lingerOnClose(server)
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
  // A long poll would otherwise hold the drain for up to 20 s.
  events.queues.endLongPolls()
  // Stops accepting connections, but leaves the open ones be: http's
  // close() (Node ≥ 19) would also close the idle keep-alive ones at once,
  // and a client that sends its next request on one just then sees
  // ECONNRESET. Kept open through the drain, they are answered 503 with
  // `Connection: close` instead, which tells the client to go.
  const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()))
  const requestsDrained = await lifecycle.drain(drainTimeoutMs)
  // Queued events stop being taken; the ones running get what is left of
  // the drain, and whatever is not finished stays in the store for the next start.
  const eventsDrained = await events.close(Math.max(0, drainTimeoutMs - (Date.now() - started)))
  const drained = requestsDrained && eventsDrained
  // Connections that answered their last request close themselves; the idle
  // ones go now; give the last responses a moment to flush, then cut
  // whatever is left (a client that never finished sending its request, or
  // one past the drain timeout).
  server.closeIdleConnections()
  const grace = setTimeout(() => server.closeAllConnections(), drained ? 1_000 : 0)
  await closed
  clearTimeout(grace)
  await host.close()
  return drained
}
