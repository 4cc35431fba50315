// Piscina loads its worker file with require() before trying import(). On
// Node 20, require() of an ES module inside a worker thread aborts the whole
// process (an assertion in ModuleWrap::CreateRequiredModuleFacade), so
// Piscina is given this CommonJS entry, which imports the ES module itself.
import type { EnvironmentTask } from './worker.js'

type Environment = (task: EnvironmentTask) => Promise<void>
let environment: Promise<Environment> | undefined

module.exports = async function start(task: EnvironmentTask): Promise<void> {
  environment ??= import('./worker.js').then((module) => module.default)
  return (await environment)(task)
}
