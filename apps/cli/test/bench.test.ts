import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BenchResult, WarmLevel } from '../src/bench/bench-result.js'
import type { Summary } from '../src/bench/summary.js'
import { runCli } from './helpers.js'

// The CLI runs with test/fixtures as its current folder.
let dir: string
const file = (name: string) => join(dir, name)
const readResult = async (name: string) => JSON.parse(await readFile(file(name), 'utf8')) as BenchResult

function expectOrdered(summary: Summary | null, count: number): void {
  expect(summary).not.toBeNull()
  const { min, p50, p90, p99, max } = summary as Summary
  expect(summary?.count).toBe(count)
  expect(min).toBeGreaterThan(0)
  expect([min, p50, p90, p99, max]).toEqual([min, p50, p90, p99, max].sort((a, b) => a - b))
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0)

describe('lambdalet bench', () => {
  let base: BenchResult

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lambdalet-bench-'))
    const run = await runCli([
      'bench',
      'bench-fast.mjs',
      '--cold',
      '2',
      '--concurrency',
      '1,2',
      '--requests',
      '30',
      '--event',
      '[{"n":1},{"n":2}]',
      '--json',
      file('base.json'),
    ])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Cold start: 2 fresh environments$/m)
    expect(run.stdout).toMatch(/^ {2}Latency, concurrency 2 \(ms\)$/m)
    expect(run.stdout).toMatch(/^Billing at 128 MB: 62 invocations, [\d,]+ billed ms = [\d.e-]+ GB-s/m)
    base = await readResult('base.json')
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('writes every documented figure to --json', () => {
    expect(base).toMatchObject({
      schema: 'lambdalet-bench/1',
      mode: 'embedded',
      function: { name: 'bench-fast', handler: 'bench-fast.mjs', memoryMb: 128, timeoutMs: 3000 },
      settings: { cold: 2, concurrency: [1, 2], durationMs: null, requests: 30, events: 2 },
    })
    expect(base.elapsedSeconds).toBeGreaterThan(0)

    const cold = base.cold!
    expect(cold).toMatchObject({ samples: 2, errors: 0, errorsByType: {} })
    expectOrdered(cold.initDurationMs, 2)
    expectOrdered(cold.firstInvocationMs, 2)
    expectOrdered(cold.maxMemoryUsedMb, 2)
    // The caller waits for init too.
    expect(cold.firstInvocationMs!.max).toBeGreaterThanOrEqual(cold.initDurationMs!.min)

    expect(base.warm.map((level) => level.concurrency)).toEqual([1, 2])
    for (const level of base.warm) {
      expect(level).toMatchObject({ invocations: 30, errors: 0, errorsByType: {} })
      expect(level.invocationsPerSecond).toBeGreaterThan(0)
      expect(level.invocationsPerSecond).toBeCloseTo(level.invocations / (level.elapsedMs / 1000))
      expectOrdered(level.latencyMs, 30)
      // The handler sleeps 2 ms (a timer on a cached loop clock, so at least 1 ms of real time):
      // neither its REPORT Duration nor the caller's latency can be shorter.
      expectOrdered(level.durationMs, 30)
      expect(level.durationMs!.min).toBeGreaterThanOrEqual(1)
      expect(level.latencyMs!.p50).toBeGreaterThanOrEqual(level.durationMs!.min)
      expect(level.histogram.reduce((sum, bin) => sum + bin.count, 0)).toBe(30)
      expect(level.billedDurationMs).toBeGreaterThanOrEqual(30)
      expect(level.gbSeconds).toBeCloseTo((level.billedDurationMs * 128) / 1024 / 1000, 10)
      expectOrdered(level.maxMemoryUsedMb, 30)
      expect(level.rssPeakMb).toBeGreaterThan(0)
    }

    const warmBilled = base.warm.reduce((sum, level) => sum + level.billedDurationMs, 0)
    expect(base.billing.invocations).toBe(2 + 30 + 30)
    expect(base.billing.billedDurationMs).toBeGreaterThan(warmBilled)
    expect(base.billing.gbSeconds).toBeCloseTo((base.billing.billedDurationMs * 128) / 1024 / 1000, 10)
    expect(base.billing.gbSecondsPerMillion).toBeCloseTo((base.billing.gbSeconds / 62) * 1e6, 6)

    const { rssStartMb, rssPeakMb, rssEndMb, rssGrowthMb } = base.memory
    expect(rssPeakMb).toBeGreaterThanOrEqual(Math.max(rssStartMb, rssEndMb))
    expect(rssGrowthMb).toBeCloseTo(rssEndMb - rssStartMb, 6)
  })

  it('compares with a base run, and fails on a regression only with --fail-on-regression', async () => {
    // The same settings on a handler that sleeps ten times longer, found by name in the folder.
    const slower = [
      'bench',
      'bench-slow',
      '.',
      '--cold',
      '0',
      '--concurrency',
      '1,2',
      '--requests',
      '30',
      '--compare',
      file('base.json'),
    ]

    const gated = await runCli([...slower, '--fail-on-regression', '10'])
    expect(gated.code).toBe(1)
    expect(gated.stdout).toMatch(/^ {2}concurrency 1 inv\/s +[\d,]+ +[\d,]+ +−\d+\.\d % {2}REGRESSION$/m)
    expect(gated.stdout).toMatch(/^ {2}concurrency 2 latency p50 .* \+\d+\.\d % {2}REGRESSION$/m)
    expect(gated.stdout).toMatch(/gated figures got worse by more than 10 %/)

    const reported = await runCli(slower)
    expect(reported.code).toBe(0)
    expect(reported.stdout).toMatch(/^ {2}concurrency 1 inv\/s .* worse$/m)
    expect(reported.stdout).not.toMatch(/REGRESSION/)

    // Latency rose by hundreds of percent, not by a hundred thousand.
    const lenient = await runCli([...slower, '--fail-on-regression', '100000'])
    expect(lenient.code).toBe(0)
    expect(lenient.stdout).toMatch(/No gated figure \(inv\/s, latency p50\/p90\/p99\) got worse by more than 100000 %/)

    // A gate that compares nothing (no concurrency level in common) fails loudly instead of passing.
    const disjoint = await runCli([
      'bench',
      'bench-slow',
      '.',
      '--cold',
      '0',
      '--concurrency',
      '3',
      '--requests',
      '10',
      '--compare',
      file('base.json'),
      '--fail-on-regression',
      '10',
    ])
    expect(disjoint.code).toBe(2)
    expect(disjoint.stdout).toMatch(/nothing to gate/)
    expect(disjoint.stdout).toMatch(/note: the base measured bench-fast/)
  })

  it('counts function errors by type, and the counts add up', async () => {
    const run = await runCli([
      'bench',
      'bench-flaky.mjs',
      '--cold',
      '0',
      '--concurrency',
      '2',
      '--requests',
      '20',
      '--event',
      '[{"fail":false},{"fail":true}]',
      '--json',
      file('flaky.json'),
    ])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/errors: TypeError 10/)
    const [level] = (await readResult('flaky.json')).warm as [WarmLevel]
    expect(level).toMatchObject({ invocations: 20, errors: 10, errorsByType: { TypeError: 10 } })
    expect(total(level.errorsByType)).toBe(level.errors)
  })

  it('drives the Invoke API of a server on 127.0.0.1 with autocannon under --http', async () => {
    const run = await runCli([
      'bench',
      'bench-fast.mjs',
      '--http',
      '--cold',
      '1',
      '--concurrency',
      '2',
      '--requests',
      '20',
      '--json',
      file('http.json'),
    ])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/through the Invoke API \(HTTP\)/)
    const result = await readResult('http.json')
    expect(result.mode).toBe('http')
    expectOrdered(result.cold!.initDurationMs, 1)
    const [level] = result.warm as [WarmLevel]
    expect(level).toMatchObject({ concurrency: 2, invocations: 20, errors: 0 })
    expectOrdered(level.latencyMs, 20)
    expectOrdered(level.durationMs, 20)
  })

  it("stops with exit code 1 and the function's own error when it cannot initialise", async () => {
    const run = await runCli(['bench', 'bench-broken.mjs', '--cold', '1'])
    expect(run.stderr).toMatch(/^lambdalet bench: bench-broken failed to initialise: Error: missing configuration$/m)
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
  })

  it('rejects bad values with a message naming the option, and exit code 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['--concurrency', '1,0'],
        /--concurrency: expected integers from 1 to 1000 separated by commas, such as 1,4,16, got "1,0"/,
      ],
      [['--duration', 'soon'], /--duration: expected a duration such as 10s or 500ms, got "soon"/],
      [['--duration', '1s', '--requests', '5'], /expected --duration or --requests, not both/],
      [['--memory', '64'], /--memory: expected an integer from 128 to 10240, got "64"/],
      [['--event', '{'], /the event from --event is not valid JSON/],
      [['--fail-on-regression', '10'], /--fail-on-regression needs --compare <base.json>/],
      [['--compare', 'missing.json'], /--compare: cannot read missing.json \(ENOENT\)/],
    ]
    for (const [args, message] of cases) {
      // Each fails before anything runs.
      const run = await runCli(['bench', 'bench-fast.mjs', ...args])
      expect(run.stderr, args.join(' ')).toMatch(message)
      expect(run.code, args.join(' ')).toBe(2)
    }
    const missing = await runCli(['bench', 'nowhere.mjs'])
    expect(missing.stderr).toMatch(/cannot find the handler file "nowhere.mjs"/)
    expect(missing.code).toBe(2)
  })
})
