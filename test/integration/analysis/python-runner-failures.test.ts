import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { WorkerRunner } from '../../../src/analysis/analysis-runner.js'
import { createPythonWorkerRunner, decodePayload } from '../../../src/internal.js'
import { collectLog, event, LIMITS, pyModule, textParameters } from './python-harness.js'

const runners: WorkerRunner[] = []
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()))
})

const tiny = (n: number) => event(n, { s: ['none', [new Uint8Array([n])]] })

async function started(spec: string, limits = LIMITS) {
  const { lines, log } = collectLog()
  const runner = await createPythonWorkerRunner(spec, { limits, log })
  runners.push(runner)
  await runner.begin({ parameters: textParameters({}), state: { name: 'w0', tags: ['generic'] } })
  return { runner, lines }
}

describe('Python modules that cannot load', () => {
  it('a syntax error: MODULE_INVALID, one line naming file and line', async () => {
    const err = await createPythonWorkerRunner(pyModule('syntax_error.py', 'Broken'), {
      limits: LIMITS,
    }).catch((e) => e)
    expect(err).toMatchObject({ code: 'MODULE_INVALID' })
    expect(err.message).toMatch(/syntax_error\.py:2: SyntaxError: /)
    expect(err.message).not.toContain('\n')
  })

  it('a missing import names the package and the line', async () => {
    const err = await createPythonWorkerRunner(pyModule('missing_import.py', 'W'), {
      limits: LIMITS,
    }).catch((e) => e)
    expect(err).toMatchObject({ code: 'MODULE_INVALID' })
    expect(err.message).toMatch(
      /missing_import\.py:4: missing Python package 'beamloom_no_such_package'/,
    )
    expect(err.message).not.toContain('\n')
  })

  it('a missing class names what the file defines; a missing file is MODULE_NOT_FOUND', async () => {
    const err = await createPythonWorkerRunner(pyModule('no_class.py', 'Worker'), {
      limits: LIMITS,
    }).catch((e) => e)
    expect(err).toMatchObject({ code: 'MODULE_INVALID' })
    expect(err.message).toMatch(/no_class\.py: no class 'Worker' \(it defines: Other\)/)
    await expect(
      createPythonWorkerRunner(pyModule('nope.py', 'W'), { limits: LIMITS }),
    ).rejects.toMatchObject({
      code: 'MODULE_NOT_FOUND',
    })
  })

  it('a missing interpreter is CONFIG_INVALID', async () => {
    await expect(
      createPythonWorkerRunner(pyModule('failing.py', 'FailingWorker'), {
        limits: LIMITS,
        python: '/nonexistent/python3',
      }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
  })
})

describe('another dranspose package on the interpreter path', () => {
  let dir: string
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('is refused rather than shadowed', async () => {
    dir = await mkdtemp(join(tmpdir(), 'beamloom-other-dranspose-'))
    await mkdir(join(dir, 'dranspose'))
    await writeFile(join(dir, 'dranspose', '__init__.py'), '')
    const err = await createPythonWorkerRunner(pyModule('failing.py', 'FailingWorker'), {
      limits: LIMITS,
      env: { PYTHONPATH: dir },
    }).catch((e) => e)
    expect(err).toMatchObject({ code: 'MODULE_INVALID' })
    expect(err.message).toContain(`a dranspose package is installed at ${join(dir, 'dranspose')}`)
  })
})

describe('Python worker failures at run time', () => {
  it('an exception fails that event only, with the Python type and message; prints reach the log', async () => {
    const { runner, lines } = await started(pyModule('failing.py', 'FailingWorker'))
    const out = await runner.processEvents([tiny(1), tiny(2), tiny(3), tiny(4)], textParameters({}))
    expect(out[0]?.kind === 'result' && decodePayload(out[0].payload)).toEqual({ n: 1 })
    expect(out[1]).toMatchObject({
      kind: 'failed',
      reason: expect.stringMatching(/^ValueError: event 2 is bad \(failing\.py:\d+\)$/),
    })
    expect(out[2]).toMatchObject({
      kind: 'failed',
      reason: expect.stringContaining('PayloadError: result has a function at f'),
    })
    expect(out[3]?.kind).toBe('result')
    expect(runner.alive).toBe(true)
    await expect.poll(() => lines).toContain('info processed 4')
    expect(
      lines.some((l) => l.startsWith('warn') && l.includes('ValueError: event 2 is bad')),
    ).toBe(true)
  })

  it('a call over the time limit kills the host: timeout for that event, skipped for the rest', async () => {
    const { runner } = await started(pyModule('failing.py', 'FailingWorker'), {
      ...LIMITS,
      callTimeoutMs: 400,
    })
    const out = await runner.processEvents([tiny(49), tiny(50), tiny(51)], textParameters({}))
    expect(out.map((o) => o.kind)).toEqual(['result', 'timeout', 'skipped'])
    expect(runner.alive).toBe(false)
    expect((await runner.processEvents([tiny(1)], textParameters({}))).map((o) => o.kind)).toEqual([
      'skipped',
    ])
  })

  it('the host dying is crashed for the running event, with the exit code', async () => {
    const { runner } = await started(pyModule('failing.py', 'FailingWorker'))
    const out = await runner.processEvents([tiny(60), tiny(61)], textParameters({}))
    expect(out.map((o) => o.kind)).toEqual(['crashed', 'skipped'])
    expect(out[0]).toMatchObject({ reason: expect.stringContaining('code 7') })
    expect(runner.alive).toBe(false)
  })

  it('exceeding the memory cap is crashed', async () => {
    const { runner } = await started(pyModule('failing.py', 'FailingWorker'), {
      ...LIMITS,
      memoryMiB: 128, // one BLAS thread: numpy loads under a small cap
    })
    const out = await runner.processEvents([tiny(69), tiny(70), tiny(71)], textParameters({}))
    expect(out.map((o) => o.kind)).toEqual(['result', 'crashed', 'skipped'])
    expect(out[1]).toMatchObject({ reason: expect.stringContaining('memory cap of 128 MiB') })
  })

  it('kill stops the host; close is idempotent', async () => {
    const { runner } = await started(pyModule('failing.py', 'FailingWorker'))
    runner.kill('replaced')
    expect(runner.alive).toBe(false)
    await runner.close()
    await runner.close()
  })
})
