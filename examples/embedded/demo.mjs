// Creates a host over the example functions (one folder up) and invokes each one,
// printing results and the Lambda REPORT lines.
import { fileURLToPath } from 'node:url'
import { createHost } from '@lambdalet/host'

const codeDir = fileURLToPath(new URL('../', import.meta.url))
const host = createHost({
  functions: {
    hello: { handler: 'hello.mjs', codeDir },
    echo: { handler: 'echo.mjs', codeDir },
    counter: { handler: 'counter.mjs', codeDir },
    legacy: { handler: 'legacy.handler', codeDir },
  },
})

const show = (label, value) => console.log(`\n→ ${label}: ${JSON.stringify(value)}\n`)

try {
  show('hello', await host.invoke('hello', { name: 'lambdalet' }))
  show('echo', await host.invoke('echo', { unicode: 'ünïcødé ✓', nested: { list: [1, null, true] } }))
  for (let i = 0; i < 3; i++) show(`counter (warm after the first)`, await host.invoke('counter'))
  show('legacy', await host.invoke('legacy', {}))
  try {
    await host.invoke('missing')
  } catch (error) {
    show('missing', { errorType: error.errorType, errorMessage: error.errorMessage })
  }
  console.log('stats:', JSON.stringify(host.stats().functions.counter.environments))
} finally {
  await host.close()
}
