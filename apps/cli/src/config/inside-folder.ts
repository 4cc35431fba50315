import { realpathSync } from 'node:fs'
import { relative, sep } from 'node:path'

/**
 * Whether `file`, with every symlink followed, lies inside `folder` (also
 * followed). A handler named relative to its code folder must not leave it
 * (`../`, a link to elsewhere): the folder is what the user chose to serve.
 */
export function isInsideFolder(file: string, folder: string): boolean {
  let real: string
  let root: string
  try {
    real = realpathSync(file)
    root = realpathSync(folder)
  } catch {
    return false
  }
  const path = relative(root, real)
  return path !== '' && path !== '..' && !path.startsWith(`..${sep}`) && !path.startsWith(sep)
}
