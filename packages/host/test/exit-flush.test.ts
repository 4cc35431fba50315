import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { fixture } from './helpers.js'

function run(how: 'exit' | 'crash'): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [fixture('exit-after-invoke.mjs'), how])
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })))
}

describe('the default stdout logs', () => {
  it.each(['exit', 'crash'] as const)('are all written when the process ends at once (%s)', async (how) => {
    const { code, stdout, stderr } = await run(how)
    expect(code).toBe(how === 'exit' ? 3 : 1)
    if (how === 'crash') expect(stderr).toContain('crash after the invocation')
    const lines = stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(4)
    expect(lines[0]).toMatch(/^START RequestId: (\S+) Version: \$LATEST$/)
    expect(lines[1]).toMatch(/\tINFO\thello from echo 1$/)
    expect(lines[2]).toMatch(/^END RequestId: /)
    expect(lines[3]).toMatch(/^REPORT RequestId: .*\tInit Duration: /)
  })
})
