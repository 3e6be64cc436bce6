import { constants } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import { ConfigError } from '../src/analysis-runtime.js'

/** A file a command reads, with what it is for the message (`recording`, `trigger map`, …). */
export interface InputFile {
  readonly what: string
  readonly path: string
}

/**
 * Check, before anything starts, that every input file exists and can be read, so a typo is
 * reported at once (exit 2) instead of failing half-way.
 * @throws ConfigError naming every file that cannot be read and why.
 */
export async function checkInputFiles(files: readonly InputFile[]): Promise<void> {
  const problems: string[] = []
  for (const { what, path } of files) {
    try {
      if ((await stat(path)).isDirectory()) {
        problems.push(`${what} ${path} is a directory`)
        continue
      }
      await access(path, constants.R_OK)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      const why =
        code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(err)
      problems.push(`cannot read ${what} ${path}: ${why}`)
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.join('; '))
}
