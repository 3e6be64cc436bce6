import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixturePath, repoPath } from '../../harness/fixtures.js'

const run = promisify(execFile)
const bin = repoPath('bin/beamloom.js')
const XRD = fixturePath('dump_xrd.cbors')
const WORKER = `${repoPath('workers/examples/roi-mean.ts')}:RoiMeanWorker`
const REDUCER = `${repoPath('reducer/examples/roi-mean.ts')}:RoiMeanReducer`

let dir: string

/** Run `beamloom <args>`; resolves with its exit code and output, whatever the code. */
async function beamloom(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      env: { ...process.env, ...env },
      timeout: 50_000,
    })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

/** No Node stack trace in what a command printed. */
function expectNoStack(text: string): void {
  expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/)
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-exit-codes-'))
  await writeFile(
    join(dir, 'analysis.ts'),
    `export class FailingWorker { processEvent() { throw new Error('no luck') } }
export class CountReducer {
  publish = { events: [] as number[] }
  processResult(r: { eventNumber: number }) { this.publish.events.push(r.eventNumber) }
}
`,
  )
  await run(process.execPath, [repoPath('scripts/build-if-stale.mjs')])
}, 180_000)
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('exit code 2 for bad input, before anything runs', () => {
  it.each([
    ['up', ['up', '--bogus']],
    ['replay', ['replay', '-w', WORKER, '-r', REDUCER, '-f', XRD, '--bogus']],
    ['controller', ['controller', '--bogus']],
    ['reducer', ['reducer', '--bogus']],
    ['worker', ['worker', '--bogus']],
    ['ingester stins', ['ingester', 'stins', '--bogus']],
    ['simulate stins', ['simulate', 'stins', '--bogus']],
    ['autoscaler', ['autoscaler', '--bogus']],
  ])('an unknown option of %s', async (_name, args) => {
    const r = await beamloom(args)
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toContain("error: unknown option '--bogus'")
    expect(r.stderr).toMatch(/--help\)/)
  })

  it('an unknown command', async () => {
    const r = await beamloom(['bogus'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("unknown command 'bogus'")
  })

  it('a recording that does not exist (replay -f)', async () => {
    const missing = join(dir, 'missing.cbors')
    const r = await beamloom(['replay', '-w', WORKER, '-r', REDUCER, '-f', missing])
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toContain(`error: cannot read recording ${missing}: no such file`)
    expectNoStack(r.stderr)
  })

  it('a map, a parameters file or a capture that does not exist (up)', async () => {
    const base = ['up', '-w', WORKER, '-r', REDUCER, '--port', '0', '--reducer-port', '0']
    const map = await beamloom([...base, '--simulate', 'stins:xrd', '--map', join(dir, 'no.json')])
    expect(map.code, map.stderr).toBe(2)
    expect(map.stderr).toContain(`cannot read trigger map ${join(dir, 'no.json')}: no such file`)
    const capture = await beamloom([...base, '--simulate', `stins:xrd:capture=${join(dir, 'x')}`])
    expect(capture.code).toBe(2)
    expect(capture.stderr).toContain(`cannot read capture of xrd ${join(dir, 'x')}`)
    for (const r of [map, capture]) {
      expectNoStack(r.stderr)
      expect(r.stderr).not.toContain('beamloom up: controller')
    }
  })

  it('a parameter name no module describes, naming the ones they do (replay and up)', async () => {
    const params = join(dir, 'typo.json')
    await writeFile(params, JSON.stringify([{ name: 'rio', data: '0:2,8:10' }]))
    const replay = await beamloom(['replay', '-w', WORKER, '-r', REDUCER, '-f', XRD, '-p', params])
    const up = await beamloom([
      'up',
      '-w',
      WORKER,
      '-r',
      REDUCER,
      '--simulate',
      'stins:xrd:frames=3,shape=4x4',
      '-p',
      params,
      '--port',
      '0',
      '--reducer-port',
      '0',
    ])
    for (const r of [replay, up]) {
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr).toContain(
        `error: ${params}: unknown parameter 'rio': the modules describe roi, stream`,
      )
    }
    expect(up.stderr).not.toContain('beamloom up: controller')
  })

  it('a value that does not parse as its dtype, checked once (replay and up)', async () => {
    const params = join(dir, 'bad-value.json')
    // The fluorescence-map worker describes `channel` as an int.
    await writeFile(params, JSON.stringify([{ name: 'channel', data: 'three' }]))
    const fluo = (kind: 'workers' | 'reducer', cls: string) =>
      `${repoPath(`${kind}/examples/fluorescence-map.ts`)}:${cls}`
    const modules = [
      '-w',
      fluo('workers', 'FluorescenceMapWorker'),
      '-r',
      fluo('reducer', 'FluorescenceMapReducer'),
    ]
    const replay = await beamloom(['replay', ...modules, '-f', XRD, '-p', params])
    const up = await beamloom([
      'up',
      ...modules,
      '--simulate',
      'stins:xrd:frames=3,shape=4x4',
      '-p',
      params,
      '--port',
      '0',
      '--reducer-port',
      '0',
    ])
    for (const r of [replay, up]) {
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr).toContain(`${params}: parameter 'channel' (int): 'three' is not an integer`)
      expect(r.stderr.match(/is not an integer/g)).toHaveLength(1)
    }
  })

  it('a log level that does not exist', async () => {
    const r = await beamloom(['replay', '-w', WORKER, '-r', REDUCER, '-f', XRD], {
      LOG_LEVEL: 'loud',
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("LOG_LEVEL: unknown level 'loud'")
  })
})

describe('exit code 1 when the scan had failures', () => {
  it('up, when every event failed', async () => {
    const out = join(dir, 'failed.json')
    const r = await beamloom([
      'up',
      '-w',
      `${join(dir, 'analysis.ts')}:FailingWorker`,
      '-r',
      `${join(dir, 'analysis.ts')}:CountReducer`,
      '--simulate',
      'stins:xrd:frames=4,shape=4x4',
      '--port',
      '0',
      '--reducer-port',
      '0',
      '--out',
      out,
    ])
    expect(r.code, r.stderr).toBe(1)
    // Two workers each get the start and end events (broadcast), one of them each of the 4
    // images: 8 calls, all failed.
    expect(r.stderr).toMatch(/scan \S+ finished .*: 0 results reduced, 8 failed/)
    expect(r.stderr.match(/processEvent\(\) failed: no luck/g)).toHaveLength(8)
  })

  it('up, 0 when nothing failed', async () => {
    const out = join(dir, 'ok.json')
    const r = await beamloom([
      'up',
      '-w',
      WORKER,
      '-r',
      REDUCER,
      '--simulate',
      'stins:xrd:frames=4,shape=4x4',
      '--port',
      '0',
      '--reducer-port',
      '0',
      '--out',
      out,
    ])
    expect(r.code, r.stderr).toBe(0)
    // The ROI example returns nothing for the header and the series end: 4 results.
    expect(r.stderr).toMatch(/scan \S+ finished .*: 4 results reduced, 0 failed/)
  })
})
