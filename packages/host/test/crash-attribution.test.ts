import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fixture, rejectionOf, tempDir, testHost, until } from './helpers.js'

// With maxConcurrency 1 and a second invocation queued, the host posts the
// next event in the same turn as it reads an answer: the event is on its way
// before the host can hear of anything the environment does after answering.

describe('crash attribution', () => {
  it('does not blame the next invocation for a rejection left by the previous one', async () => {
    const file = join(tempDir('lambdalet-crash-'), 'runs.log')
    const { host } = testHost({ functions: { f: { handler: fixture('late-crash.mjs'), maxConcurrency: 1 } } })
    const [first, second] = await Promise.all([
      host.invoke('f', { kind: 'late-reject' }),
      host.invoke('f', { id: 2, file }),
    ])
    expect(first).toEqual({ runs: 1 })
    // The environment crashed with the first invocation's rejection while the
    // second was on its way to it; the second ran, once, on a fresh one.
    expect(second).toEqual({ runs: 1 })
    expect(readFileSync(file, 'utf8')).toBe('2\n')
    expect(host.stats().functions.f).toMatchObject({ coldStarts: 2, errors: 0 })
    expect(await host.invoke('f', {})).toEqual({ runs: 2 })
  })

  it('runs an event exactly once when its environment crashed while the event was on its way', async () => {
    const dir = tempDir('lambdalet-crash-')
    const file = join(dir, 'runs.log')
    const go = join(dir, 'go')
    const { host } = testHost({ functions: { f: { handler: fixture('late-crash.mjs'), maxConcurrency: 1 } } })
    const first = host.invoke('f', { kind: 'idle-throw', go })
    const next = [1, 2, 3].map((id) => host.invoke('f', { id, file }))
    // By the time the first answer reaches the test, event 1 has been posted
    // to that environment, whose thread is blocked before it reads it.
    expect(await first).toEqual({ runs: 1 })
    writeFileSync(go, '')
    expect(await Promise.all(next)).toEqual([{ runs: 1 }, { runs: 2 }, { runs: 3 }])
    expect(readFileSync(file, 'utf8')).toBe('1\n2\n3\n')
    expect(host.stats().functions.f).toMatchObject({ coldStarts: 2, errors: 0 })
  })

  it('gives up after one re-run when the next environment also crashes before taking the event', async () => {
    const dir = tempDir('lambdalet-crash-')
    const { host } = testHost({ functions: { f: { handler: fixture('late-crash.mjs'), maxConcurrency: 2 } } })
    // Two environments, each left blocked (after answering) until its own
    // file exists, then throwing. The one that answered last is reused
    // first, so the second is made to answer after the first.
    const older = join(dir, 'older')
    const newer = join(dir, 'newer')
    const answerNewer = join(dir, 'answer-newer')
    const second = host.invoke('f', { kind: 'idle-throw', go: newer, answerWhen: answerNewer })
    await host.invoke('f', { kind: 'idle-throw', go: older })
    writeFileSync(answerNewer, '')
    await second
    const environments = () => host.stats().functions.f!.environments
    const pending = rejectionOf(host.invoke('f', { id: 1 }))
    expect(environments()).toMatchObject({ busy: 1, idle: 1 })
    writeFileSync(newer, '')
    // Re-run on the other warm environment, whose thread is blocked too.
    await until(() => environments().busy === 1 && environments().idle === 0)
    writeFileSync(older, '')
    const error = await pending
    expect({ errorType: error.errorType, errorMessage: error.errorMessage }).toEqual({
      errorType: 'Error',
      errorMessage: 'thrown while idle',
    })
    // Not a third environment: the event was given one re-run, not more.
    expect(host.stats().functions.f).toMatchObject({ coldStarts: 2, invocations: 3, errors: 1 })
  })
})
