import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { repoPath } from './fixtures.js'

const run = promisify(execFile)

/**
 * Which of the live system's libraries (HTTP, Redis, zmq, logging, metrics) importing `entry`
 * (a path in the repository) loads, sorted; imported in a process of its own
 * (`heavy-modules.mts`).
 */
export async function heavyModulesOf(entry: string): Promise<string[]> {
  const { stdout } = await run(process.execPath, [
    '--import',
    'tsx',
    repoPath('test/harness/heavy-modules.mts'),
    repoPath(entry),
  ])
  return JSON.parse(stdout) as string[]
}
