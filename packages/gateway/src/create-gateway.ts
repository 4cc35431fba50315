import { randomUUID } from 'node:crypto'
import { type AsyncInvoker, ErrorType, type Invoker, type MessageQueues } from '@lambdalet/protocol'
import { Hono, type MiddlewareHandler } from 'hono'
import { bearerAuth } from 'hono/bearer-auth'
import { HTTPException } from 'hono/http-exception'
import { apiError } from './api-error.js'
import { registerControlPlane } from './control-plane.js'
import { registerEventInvokeConfigApi } from './event-invoke-config-api.js'
import { type FunctionDescription, validateDescriptions } from './function-configuration.js'
import type { GatewayEnv } from './gateway-env.js'
import { type PayloadFormatVersion, registerHttpRoutes } from './http-routes.js'
import { createInvokeHandler, INVOKE_PATH } from './invoke-api.js'
import { createInvokeStreamHandler, INVOKE_STREAM_PATH } from './invoke-stream-api.js'
import { createLifecycle, type Lifecycle } from './lifecycle.js'
import { consoleLogger, type GatewayLogger, safeLogger } from './logger.js'
import { METRICS_CONTENT_TYPE, renderMetrics } from './metrics.js'
import { createSqsApi } from './sqs-api.js'

export interface GatewayOptions {
  /**
   * The asynchronous side (`@lambdalet/events`' queue): `Event` invocations
   * are stored there before the 202, and the event-invoke-config API is
   * served. Without it, `Event` invocations are refused.
   */
  events?: AsyncInvoker
  /**
   * SQS-style queues (`@lambdalet/events`' queue set): served over SQS's
   * JSON protocol at `POST /` with `X-Amz-Target: AmazonSQS.<Action>`.
   */
  queues?: MessageQueues
  /** Function name → API Gateway route keys: `GET /hello`, `ANY /users/{id}`, `ANY /files/{proxy+}`, `$default`. */
  routes?: Readonly<Record<string, readonly string[]>>
  /** Function name → the event its routes send: `2.0` (default) or REST-API-style `1.0`. */
  payloadFormatVersions?: Readonly<Record<string, PayloadFormatVersion>>
  /** Function name → what ListFunctions and GetFunction report about it (handler, timeout, memory, env names). */
  functions?: Readonly<Record<string, FunctionDescription>>
  /** When set, every route except /healthz requires `Authorization: Bearer <apiKey>`. */
  apiKey?: string
  /** Shared with whoever handles signals; the gateway makes its own otherwise. */
  lifecycle?: Lifecycle
  /** Gateway-level failures, e.g. an `Event` invocation that failed. Defaults to JSON lines on stderr. */
  logger?: GatewayLogger
  /** For ARNs in Lambda's messages. Defaults to `us-east-1`. */
  region?: string
  /**
   * For ARNs and `requestContext.accountId`. Defaults to `000000000000`;
   * only when given are ARNs naming another account refused.
   */
  accountId?: string
}

const INVOKE_API_PREFIX = '/2015-03-31/'
const CONFIG_API_PREFIX = '/2019-09-25/'
const STREAM_API_PREFIX = '/2021-11-15/'
const BEARER_TOKEN = /^[A-Za-z0-9._~+/-]+=*$/
const json = (body: object, status: number): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

/** A Hono app serving the Lambda Invoke API and control-plane reads, HTTP API routes, /healthz and /metrics. */
export function createGateway(invoker: Invoker, options: GatewayOptions = {}): Hono<GatewayEnv> {
  const region = options.region ?? 'us-east-1'
  const accountId = options.accountId ?? '000000000000'
  if (!/^[a-z]{2}(?:-gov)?-[a-z]+-\d$/.test(region)) {
    throw new TypeError(`Expected \`region\` to look like \`us-east-1\`, got ${JSON.stringify(region)}`)
  }
  if (!/^\d{12}$/.test(accountId)) {
    throw new TypeError(`Expected \`accountId\` to be 12 digits, got ${JSON.stringify(accountId)}`)
  }
  const { apiKey } = options
  if (apiKey !== undefined && (typeof apiKey !== 'string' || !BEARER_TOKEN.test(apiKey))) {
    throw new TypeError('Expected `apiKey` to be a non-empty bearer token (letters, digits, `._~+/-`, trailing `=`)')
  }
  const descriptions = options.functions ?? {}
  validateDescriptions(descriptions, (name) => invoker.hasFunction(name))
  const lifecycle = options.lifecycle ?? createLifecycle()
  const log = safeLogger(options.logger ?? consoleLogger)

  const app = new Hono<GatewayEnv>()
  // Handlers run in registration order, so what is registered before a
  // middleware is exempt from it: /healthz from auth and the shutdown gate,
  // /metrics from the shutdown gate.
  app.use(async function trackRequest(_c, next) {
    lifecycle.requestStarted()
    try {
      await next()
    } finally {
      lifecycle.requestFinished()
    }
  })
  app.get('/healthz', (c) =>
    lifecycle.closing ? c.json({ status: 'closing' }, 503) : c.json({ status: 'ready' }, 200),
  )
  app.use(`${INVOKE_API_PREFIX}*`, ensureRequestId)
  app.use(`${CONFIG_API_PREFIX}*`, ensureRequestId)
  app.use(`${STREAM_API_PREFIX}*`, ensureRequestId)
  if (apiKey !== undefined) {
    app.use(
      bearerAuth({
        token: apiKey,
        noAuthenticationHeader: { message: () => json({ message: 'Unauthorized' }, 401) },
        invalidAuthenticationHeader: { message: () => json({ message: 'Unauthorized' }, 401) },
        invalidToken: { message: () => json({ message: 'Forbidden' }, 403) },
      }),
    )
  }
  const { events } = options
  app.get('/metrics', (c) =>
    c.body(renderMetrics(invoker.stats(), events?.asyncStats()), 200, { 'content-type': METRICS_CONTENT_TYPE }),
  )
  app.use(async function refuseWhileClosing(c, next) {
    if (!lifecycle.closing) return next()
    // Shaped for the AWS SDK, and `message` reads as API Gateway's too.
    return apiError(c, 503, ErrorType.ServiceUnavailable, 'The server is shutting down')
  })

  const strictAccount = options.accountId !== undefined
  if (options.queues !== undefined) app.use(createSqsApi({ queues: options.queues, accountId, region }))
  app.post(INVOKE_PATH, createInvokeHandler({ invoker, events, log, region, accountId, strictAccount }))
  app.post(INVOKE_STREAM_PATH, createInvokeStreamHandler({ invoker, lifecycle, region, accountId, strictAccount }))
  if (events !== undefined)
    registerEventInvokeConfigApi(app, {
      invoker,
      events,
      queues: options.queues,
      scope: { region, accountId, strictAccount },
    })
  registerControlPlane(app, {
    invoker,
    descriptions,
    scope: { region, accountId, strictAccount },
    startedAt: Date.now(),
  })
  registerHttpRoutes(app, options.routes ?? {}, {
    invoker,
    accountId,
    apiId: 'lambdalet',
    log,
    payloadFormatVersions: options.payloadFormatVersions,
    lifecycle,
  })

  app.notFound((c) => c.json({ message: 'Not Found' }, 404))
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse()
    log({ level: 'error', message: 'Request failed', errorType: error.name, errorMessage: error.message })
    const path = c.req.path
    return path.startsWith(INVOKE_API_PREFIX) ||
      path.startsWith(CONFIG_API_PREFIX) ||
      path.startsWith(STREAM_API_PREFIX)
      ? apiError(c, 500, ErrorType.ServiceUnavailable, 'Internal error')
      : c.json({ message: 'Internal Server Error' }, 500)
  })
  return app
}

/**
 * Lambda answers every Invoke API call with a request id, errors included.
 * The successful answer carries it already; reading `c.res.headers` would
 * turn its plain header object into a Headers, so that one is not touched.
 */
const ensureRequestId: MiddlewareHandler<GatewayEnv> = async function ensureRequestId(c, next) {
  const requestId = randomUUID()
  c.set('requestId', requestId)
  await next()
  if (c.res.status === 200 || c.res.headers.has('x-amzn-requestid')) return
  c.res.headers.set('X-Amzn-RequestId', requestId)
}
