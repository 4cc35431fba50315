import { join } from 'node:path'
import { watch } from 'chokidar'

export interface ProjectWatcherSettings {
  /** The served folder: a file added to it or removed from it may add or remove a function. */
  dir: string | undefined
  /** The config file, whose edits may change any function (default: the folder's lambdalet.json). */
  configFile: string | undefined
  debounceMs: number
  /** Called after a quiet `debounceMs` following changes; never twice at once. */
  reload(): Promise<void>
}

export interface ProjectWatcher {
  /** Resolves once changes from now on are seen. */
  ready: Promise<void>
  close(): Promise<void>
}

/**
 * Watches what decides the set of functions `serve` runs: the files directly
 * in the served folder and the config file. Edits to a function's code are
 * the host's business (its `watch`); this one only sees files come and go.
 */
export function watchProject(settings: ProjectWatcherSettings): ProjectWatcher {
  const configFile =
    settings.configFile ?? (settings.dir === undefined ? undefined : join(settings.dir, 'lambdalet.json'))
  const paths = [settings.dir, configFile].filter((path) => path !== undefined)
  const watcher = watch(paths, { ignoreInitial: true, depth: 0 })
  let timer: NodeJS.Timeout | null = null
  let running: Promise<void> | null = null
  let again = false
  const run = (): void => {
    timer = null
    if (running !== null) {
      again = true
      return
    }
    running = settings.reload().finally(() => {
      running = null
      if (again) {
        again = false
        run()
      }
    })
  }
  watcher.on('all', (event, path) => {
    const structural = event === 'add' || event === 'unlink' || path === configFile
    if (!structural) return
    if (timer === null) timer = setTimeout(run, settings.debounceMs)
    else timer.refresh()
  })
  watcher.on('error', (error) => process.emitWarning(`lambdalet: watching the project failed: ${String(error)}`))
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()))
  return {
    ready,
    async close() {
      if (timer !== null) clearTimeout(timer)
      await watcher.close()
      await running
    },
  }
}
