import { isIP } from 'node:net'

/**
 * Whether only this machine can reach `host`: `localhost`, 127.0.0.0/8,
 * `::1` and IPv4-mapped loopback. Any other name or address may be reachable
 * from the network, so serving on it needs an API key.
 */
export function isLoopback(host: string): boolean {
  const address = unbracket(host.toLowerCase())
  if (address === 'localhost') return true
  if (isIP(address) === 4) return address.startsWith('127.')
  if (isIP(address) !== 6) return false
  // The URL parser writes IPv6 in its one canonical, compressed form.
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1)
  if (canonical === '::1') return true
  const mapped = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(canonical)
  return mapped !== null && Number.parseInt(mapped[1] as string, 16) >> 8 === 127
}

/** `http://127.0.0.1:3000`, `http://[::1]:3000`. */
export function origin(host: string, port: number): string {
  const bare = unbracket(host)
  return `http://${isIP(bare) === 6 ? `[${bare}]` : bare}:${port}`
}

/** `[::1]` → `::1`: the form `listen()` takes. */
export function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}
