import { resolve } from 'node:path'
import { ConfigError } from '../config/config-error.js'
import { type LoadProjectOptions, loadProject } from '../config/load-project.js'
import type { LogWriter } from '../logging/log-writer.js'
import { endpointLines } from '../server/endpoints.js'
import { type ProjectWatcher, watchProject } from '../server/project-watcher.js'
import type { RunningServer } from '../server/start-server.js'

/**
 * `serve --watch`'s other half (the host watches code): when files come and
 * go in the served folder, or the config file changes, the project is loaded
 * again and the server serves what it now describes. A project that does not
 * load (a half-written config) is reported and the running functions stay.
 */
export async function watchServedProject(
  server: RunningServer,
  project: LoadProjectOptions,
  log: LogWriter,
): Promise<ProjectWatcher> {
  const warn = (error: unknown, suffix: string): void => {
    const issues = error instanceof ConfigError ? error.issues : [(error as Error).message]
    for (const issue of issues) log.warn(`watch: ${issue}${suffix}`)
  }
  const watcher = watchProject({
    dir: project.dir === undefined && project.configFile !== undefined ? undefined : resolve(project.dir ?? '.'),
    configFile: project.configFile === undefined ? undefined : resolve(project.configFile),
    debounceMs: 150,
    async reload() {
      let next: Awaited<ReturnType<typeof loadProject>>
      try {
        next = await loadProject(project)
      } catch (error) {
        return warn(error, ' (still serving the previous functions)')
      }
      try {
        const change = await server.reload(next.functions)
        for (const name of change.removed) log.info(`watch: removed ${name}`, { functionName: name })
        const shown = new Set([...change.added, ...change.changed])
        for (const line of endpointLines(server.url, next.functions)) {
          if (shown.has(line.fields.functionName)) log.info(`watch: ${line.text}`, line.fields)
        }
      } catch (error) {
        warn(error, '')
      }
    },
  })
  await watcher.ready
  log.info('watching for changes')
  return watcher
}
