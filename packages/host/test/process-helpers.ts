import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The official Node runtime client, through the bin shim pnpm installs for this package. */
export const ric = fileURLToPath(new URL('../node_modules/.bin/aws-lambda-ric', import.meta.url))

/**
 * Whether a process still runs. A killed process whose parent died is
 * reaped by PID 1, which in a container may never happen: a zombie counts
 * as gone.
 */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}
