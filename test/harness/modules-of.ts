import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { repoPath } from './fixtures.js'

const run = promisify(execFile)

/** Import `entry` (a path in the repository) in a process of its own under `probe`; its JSON answer. */
async function probe(probeScript: string, entry: string): Promise<string[]> {
  const { stdout } = await run(process.execPath, [
    '--import',
    'tsx',
    repoPath(probeScript),
    repoPath(entry),
  ])
  return JSON.parse(stdout) as string[]
}

/**
 * Which of the live system's libraries (HTTP, Redis, zmq, logging, metrics) importing `entry`
 * loads, sorted (`heavy-modules.mts`).
 */
export function heavyModulesOf(entry: string): Promise<string[]> {
  return probe('test/harness/heavy-modules.mts', entry)
}

/**
 * The files of this checkout (outside node_modules, relative to it, sorted) that importing
 * `entry` loads (`loaded-files.mts`).
 */
export function loadedFilesOf(entry: string): Promise<string[]> {
  return probe('test/harness/loaded-files.mts', entry)
}
