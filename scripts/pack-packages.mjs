// Packs every published package of the workspace into one folder (default
// packs/), as tarballs npm can install together into any project:
//
//   node scripts/pack-packages.mjs [dest]   (after pnpm build; `pnpm pack:all` does both)
//   npm install /path/to/lambdalet/packs/*.tgz
//
// pnpm pack, not npm pack: it turns `workspace:*` and `catalog:` into the
// versions they stand for. The packages depend on each other by version, and
// npm resolves those from the tarballs installed beside them.
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
export const PACKAGES = [
  'packages/protocol',
  'packages/runtime',
  'packages/runtime-api',
  'packages/host',
  'packages/events',
  'packages/gateway',
  'apps/cli',
]

/** Packs each package into `dest`; returns the tarballs' paths. */
export function packPackages(dest) {
  mkdirSync(dest, { recursive: true })
  return PACKAGES.map((dir) => {
    const out = execFileSync('pnpm', ['pack', '--pack-destination', dest], { cwd: join(root, dir), encoding: 'utf8' })
    return out.trim().split('\n').at(-1)
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const tarball of packPackages(resolve(process.argv[2] ?? join(root, 'packs')))) console.log(tarball)
}
