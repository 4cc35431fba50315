import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface DirectoryLock {
  release(): void
}

/**
 * Claims `dir` for this process with a `lock` file holding its pid. Two
 * processes on one embedded store would both run its events; a lock left
 * by a process that died (SIGKILL, a crash) is taken over.
 */
export function acquireDirectoryLock(dir: string): DirectoryLock {
  const path = join(dir, 'lock')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' })
      return {
        release() {
          rmSync(path, { force: true })
        },
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const holder = Number(readFileSync(path, 'utf8'))
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new Error(
          `the store in ${dir} is in use by another process (pid ${holder}); ` +
            'use another --store directory, or a redis:// store to share events between servers',
        )
      }
      rmSync(path, { force: true })
    }
  }
  throw new Error(`cannot lock the store in ${dir}`)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
