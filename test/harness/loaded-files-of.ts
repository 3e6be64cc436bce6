import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { repoPath } from './fixtures.js'

const run = promisify(execFile)

/**
 * The files of this checkout (outside node_modules, relative to it, sorted) that importing
 * `entry` (a path in the repository) loads; imported in a process of its own
 * (`loaded-files.mts`).
 */
export async function loadedFilesOf(entry: string): Promise<string[]> {
  const { stdout } = await run(process.execPath, [
    '--import',
    'tsx',
    repoPath('test/harness/loaded-files.mts'),
    repoPath(entry),
  ])
  return JSON.parse(stdout) as string[]
}
