import type { ServerOptions } from 'node:http'

/** Limits on the HTTP server itself, before a request reaches the gateway. */
export interface ServerLimits {
  /** Time for a client to send all request headers; Node answers 408 after it. */
  headersTimeoutMs: number
  /** Time for a client to send the whole request (headers and body). */
  requestTimeoutMs: number
  /** How long an idle keep-alive connection stays open. */
  keepAliveTimeoutMs: number
  /** Request header bytes; Node answers 431 above it. */
  maxHeaderSize: number
}

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderSize: 16 * 1024,
}

export function serverOptions(limits: ServerLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    maxHeaderSize: limits.maxHeaderSize,
    // Node checks the two timeouts only this often (30 s by default), so a
    // client trickling its headers would otherwise hold a socket for 40 s.
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
  }
}
