import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { repoPath } from '../../harness/fixtures.js'

const run = promisify(execFile)

// The Python side's own unit tests (python/tests: the dranspose compatibility package, the
// data-only pickle reader, the payload encoding), run with the system interpreter.
describe('python/ unit tests', () => {
  it('pass under /usr/bin/python3 -m unittest', async () => {
    const { stderr } = await run(
      '/usr/bin/python3',
      ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'],
      { cwd: repoPath('python'), env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } },
    ).catch((err: { stderr?: string; message: string }) => {
      throw new Error(`python unit tests failed:\n${err.stderr ?? err.message}`)
    })
    const ran = /Ran (\d+) tests?/.exec(stderr)
    expect(Number(ran?.[1] ?? 0)).toBeGreaterThanOrEqual(20)
    expect(stderr).toMatch(/\nOK\s*$/)
  }, 60_000)
})
