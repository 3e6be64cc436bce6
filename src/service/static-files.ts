import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ConfigError } from '../errors.js'

/** A file of a page, read once, served from memory. */
export interface StaticFile {
  readonly body: Buffer
  readonly type: string
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
}

/**
 * Read every file of a page's static folder into memory. `folder` is relative to the repository
 * root (e.g. `reducer/viewer/static`); `from` is the calling module's `import.meta.url`. The
 * folder is found next to the source file and, when running compiled code from `dist/`, in the
 * source tree (tsc does not copy it), so the page works either way.
 * @throws ConfigError `CONFIG_INVALID` when the folder cannot be found.
 */
export function loadStaticFiles(from: string, folder: string): ReadonlyMap<string, StaticFile> {
  const here = fileURLToPath(new URL('.', from))
  const depth = folder.split('/').length - 1
  const candidates = [
    join(here, 'static'),
    // dist/<folder>/.. → the repository root is one level above dist/.
    join(here, ...Array<string>(depth + 1).fill('..'), folder),
  ]
  const dir = candidates.find((c) => existsSync(join(c, 'index.html')))
  if (dir === undefined) {
    throw new ConfigError(`page files not found (looked in ${candidates.join(', ')})`)
  }
  const files = new Map<string, StaticFile>()
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)]
    if (type !== undefined) files.set(name, { body: readFileSync(join(dir, name)), type })
  }
  return files
}
