import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Waits until `count` environments of `name` are idle. Measuring before the
 * `minWarm` environments are ready would make the host cold-start extra ones.
 */
export async function whenWarm(host, name, count, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (host.stats().functions[name].environments.idle < count) {
    if (Date.now() > deadline) throw new Error(`${name}: ${count} environments were not warm after ${timeoutMs} ms`)
    await sleep(5)
  }
}
