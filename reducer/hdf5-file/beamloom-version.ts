import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

let cached: string | undefined

/**
 * beamloom's version, from the `package.json` of the checkout or package this file is in
 * (found by walking up from here, so it works from the sources and from `dist/`); `unknown`
 * when there is none.
 */
export function beamloomVersion(): string {
  if (cached !== undefined) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: unknown
        version?: unknown
      }
      if (pkg.name === 'beamloom' && typeof pkg.version === 'string') {
        cached = pkg.version
        return cached
      }
    } catch {
      // No (readable) package.json at this level: keep walking up.
    }
    const up = dirname(dir)
    if (up === dir) break
    dir = up
  }
  cached = 'unknown'
  return cached
}
