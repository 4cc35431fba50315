import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fixture, tempDir, testHost, until } from './helpers.js'

describe('the host-wide thread budget', () => {
  it('reclaims an idle environment of another function when the host is at its bound on threads', async () => {
    const { host } = testHost({
      maxThreads: 1,
      functions: { a: { handler: fixture('echo-value.mjs') }, b: { handler: fixture('echo-value.mjs') } },
    })
    expect(await host.invoke('a', 1)).toBe(1)
    expect(host.stats().functions.a!.environments.idle).toBe(1)
    // b has no thread to start one on until a's idle environment goes.
    expect(await host.invoke('b', 2)).toBe(2)
    expect(host.stats().functions.a!.environments.idle).toBe(0)
    expect(await host.invoke('a', 3)).toBe(3)
    await until(() => host.stats().threads <= 1)
  })

  it('queues invocations beyond the bound instead of throttling them, and runs every one', async () => {
    const names = ['a', 'b', 'c']
    const { host } = testHost({
      maxThreads: 2,
      functions: Object.fromEntries(names.map((name) => [name, { handler: fixture('echo-value.mjs'), maxQueue: 10 }])),
    })
    let most = 0
    const sampler = setInterval(() => {
      most = Math.max(most, host.stats().threads)
    }, 1)
    const calls = names.flatMap((name) => [1, 2, 3, 4].map((i) => host.invoke(name, `${name}${i}`)))
    const results = await Promise.all(calls).finally(() => clearInterval(sampler))
    expect(results).toEqual(names.flatMap((name) => [1, 2, 3, 4].map((i) => `${name}${i}`)))
    expect(most).toBeLessThanOrEqual(2)
  })

  it('starts no more environments at once than maxColdStarts', async () => {
    const dir = tempDir('lambdalet-cold-')
    const log = join(dir, 'init.log')
    writeFileSync(log, '')
    const names = ['a', 'b', 'c', 'd']
    const { host } = testHost({
      maxColdStarts: 1,
      functions: Object.fromEntries(
        names.map((name) => [name, { handler: fixture('init-marker.mjs'), env: { INIT_LOG: log } }]),
      ),
    })
    expect(await Promise.all(names.map((name) => host.invoke(name)))).toEqual(names)
    // One module load at a time: each start is followed by its own end.
    const lines = readFileSync(log, 'utf8').trim().split('\n')
    expect(lines).toHaveLength(8)
    for (let i = 0; i < lines.length; i += 2) {
      expect(lines[i + 1]).toBe(lines[i]!.replace('start', 'end'))
    }
  })
})
