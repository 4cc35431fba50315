// Bundles the worker entry, with this package and @lambdalet/protocol, into
// one CommonJS file: the file every new environment's thread starts with.
//
// - One file, because each ES module a fresh worker imports costs about half
//   a millisecond to resolve, read and link; the dozen modules of the runtime
//   cost a cold start ~7 ms, bundled they cost one `require()`.
// - CommonJS, so that a pool which require()s its worker file can load it
//   too: on Node 20, require() of an ES module inside a worker aborts the
//   process (an assertion in ModuleWrap::CreateRequiredModuleFacade).
import { build } from 'rolldown'

await build({
  input: 'dist/worker.js',
  platform: 'node',
  external: [/^node:/],
  logLevel: 'warn',
  output: { format: 'cjs', file: 'dist/environment-worker.cjs', exports: 'default', sourcemap: true },
})
