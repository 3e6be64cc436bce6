import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The interpreter the Python host runs on when nothing else is configured (Debian's). */
export const DEFAULT_PYTHON = '/usr/bin/python3'

/**
 * The Python interpreter from the environment: `BEAMLOOM_PYTHON`, else {@link DEFAULT_PYTHON}.
 * Read by the configuration of the processes that host Python analyses (never by runners).
 */
export function pythonFromEnv(env: Readonly<Record<string, string | undefined>>): string {
  const value = env.BEAMLOOM_PYTHON?.trim()
  return value !== undefined && value !== '' ? value : DEFAULT_PYTHON
}

let found: string | undefined

/**
 * The checkout's (or the installed package's) `python/` folder, which holds the host
 * (`beamloom`) and the `dranspose` compatibility package: the first ancestor of this file with
 * `python/beamloom/host.py`, whether this runs from `src/` or from `dist/src/`.
 */
export function pythonPackageDir(): string {
  if (found !== undefined) return found
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'python')
    if (existsSync(join(candidate, 'beamloom', 'host.py'))) {
      found = candidate
      return candidate
    }
    dir = dirname(dir)
  }
  throw new Error('the python/ folder of beamloom is missing from this installation')
}

/** Where frame segments and progress files go: /dev/shm (memory) when there is one. */
export function sharedMemoryDir(tmp: string): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmp
}
