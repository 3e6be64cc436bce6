import { basename, dirname, resolve } from 'node:path'
import { ConfigError } from '../../src/internal.js'

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/
const EXTENSION = /\.(h5|hdf5|nxs)$/i

/**
 * The path of HDF5 file `name` inside `dir`. `name` is a plain file name — letters, digits,
 * `.`, `_`, `-`, not starting with `.`, at most 200 characters — so it can never leave `dir`
 * (no `/`, `\`, `..`); `.h5` is appended unless it ends in `.h5`, `.hdf5` or `.nxs`. Pure.
 * @throws ConfigError `CONFIG_INVALID` naming the rule the name breaks.
 */
export function resolveH5Path(dir: string, name: string): string {
  if (!NAME.test(name) || name.includes('..')) {
    throw new ConfigError(
      `invalid HDF5 file name '${name}': use letters, digits, '.', '_' and '-' (not starting with '.', no '..', no path)`,
    )
  }
  const file = EXTENSION.test(name) ? name : `${name}.h5`
  const root = resolve(dir)
  const path = resolve(root, file)
  // Belt and braces: the rules above already keep the name a single path component.
  if (dirname(path) !== root || basename(path) !== file) {
    throw new ConfigError(`invalid HDF5 file name '${name}': it leaves ${root}`)
  }
  return path
}

/** A default file name: `<prefix>-<UTC time to the ms>` (`scan-20261203T081512345Z`). */
export function timestampedName(prefix: string, at: Date = new Date()): string {
  return `${prefix}-${at.toISOString().replace(/[-:.]/g, '')}`
}
