import { spawn } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'

const here = dirname(fileURLToPath(import.meta.url))

/** The store's modules, which import packages and each other only. */
const STORE_MODULES = ['bullmq-store', 'bullmq-backend', 'bullmq-redis', 'bullmq-postgres']

/**
 * The fixture runs in a plain Node process, which cannot load TypeScript
 * on Node 20: it gets the store's files transpiled, under node_modules so
 * that `bullmq`, `ioredis` and `pg` resolve.
 */
export async function storeModuleUrl(): Promise<string> {
  const dir = join(here, '../node_modules/.cache/lambdalet-events-test')
  await mkdir(dir, { recursive: true })
  // Node takes files under node_modules for CommonJS unless told otherwise.
  await writeFile(join(dir, 'package.json'), '{"type":"module"}\n')
  await Promise.all(
    STORE_MODULES.map(async (name) => {
      const source = await readFile(join(here, `../src/${name}.ts`), 'utf8')
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      })
      await writeFile(join(dir, `${name}.js`), outputText)
    }),
  )
  return pathToFileURL(join(dir, 'bullmq-store.js')).href
}

export async function spawnClaimer(argument: object) {
  const child = spawn(process.execPath, [join(here, 'fixtures/claim-and-hang.mjs'), JSON.stringify(argument)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const line = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('\n')) resolve(out.split('\n')[0]!)
    })
    void exited.then(() => reject(new Error(`the claiming process exited early:\n${stderr}`)))
  })
  const { claimed } = JSON.parse(line) as { claimed: string[] }
  return {
    claimed,
    exited,
    kill: () => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, 'SIGKILL'),
  }
}

export function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}
