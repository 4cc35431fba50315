import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { collect, fixtures, spawnServe } from './helpers.js'

const FUNCTIONS = 50
const CONCURRENT = 10

describe('a cold-start storm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lambdalet-storm-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  for (let i = 0; i < FUNCTIONS; i++) {
    writeFileSync(join(dir, `f${i}.mjs`), 'export const handler = async (event) => ({ ok: event.i })\n')
  }

  it('keeps /healthz answering within 1 s while 50 functions × 10 invocations start cold', async () => {
    const serve = spawnServe(['.', '--port', '0'], dir)
    const port = await serve.port
    const url = `http://127.0.0.1:${port}`
    try {
      // Every function at once, each 10 deep, none warm: 500 invocations
      // wanting a cold start. Without a host-wide bound that is 500 threads
      // booting on 2 cores, and the server's own event loop starves.
      const client = spawn(process.execPath, [
        join(fixtures, 'clients/invoke-all.mjs'),
        url,
        `${FUNCTIONS}`,
        `${CONCURRENT}`,
      ])
      client.stdin.end()
      let done = false
      const finished = collect(client).finally(() => {
        done = true
      })
      const healthz: number[] = []
      while (!done) {
        const started = performance.now()
        const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(30_000) })
        expect(response.status).toBe(200)
        await response.arrayBuffer()
        healthz.push(performance.now() - started)
      }
      const { code, stdout } = await finished
      expect(healthz.length).toBeGreaterThan(0)
      expect(Math.max(...healthz)).toBeLessThan(1_000)
      expect(code).toBe(0)
      const results = JSON.parse(stdout) as Array<{ status: number | string; body: string | null }>
      expect(results.filter((result) => result.status !== 200)).toEqual([])
      expect(results.map((result) => result.body)).toEqual(results.map((_, i) => JSON.stringify({ ok: i })))
    } finally {
      serve.child.kill('SIGKILL')
      await serve.exited
    }
  }, 120_000)
})
