import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { repoPath } from '../../harness/fixtures.js'

const run = promisify(execFile)

async function heavyModulesOf(entry: string): Promise<string[]> {
  const { stdout } = await run(process.execPath, [
    '--import',
    'tsx',
    repoPath('test/harness/heavy-modules.mts'),
    repoPath(entry),
  ])
  return JSON.parse(stdout) as string[]
}

describe('beamloom replay start-up', () => {
  it('loads no HTTP, Redis, zmq or metrics library, with the scheduling rules it shares with the live worker', async () => {
    // `run-replay.ts` runs events through `runEvents` and friends (src/analysis/call-verdicts.ts),
    // the same code as the live worker and reducer: that code must stay free of the live system.
    expect(await heavyModulesOf('cli/replay/replay-command.ts')).toEqual(['pino'])
    expect(await heavyModulesOf('src/analysis/call-verdicts.ts')).toEqual([])
  }, 60_000)
})
