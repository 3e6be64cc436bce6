import { execFile } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { decodeMultiple, Tag } from 'cbor-x'
import { beforeAll, describe, expect, it } from 'vitest'
import { fixturePath, repoPath } from '../harness/fixtures.js'

// `beamloom replay` with Python analyses (Dranspose's API) over a real recording, alone and
// mixed with TypeScript ones: the ROI means equal those computed straight from the bytes.

const run = promisify(execFile)
const XRD = fixturePath('dump_xrd.cbors')
const PY_WORKER = `${repoPath('workers/examples/roi_mean.py')}:RoiMeanWorker`
const PY_REDUCER = `${repoPath('reducer/examples/roi_mean.py')}:RoiMeanReducer`
const TS_WORKER = `${repoPath('workers/examples/roi-mean.ts')}:RoiMeanWorker`
const TS_REDUCER = `${repoPath('reducer/examples/roi-mean.ts')}:RoiMeanReducer`

/** ROI means of rows 0–1, columns 8–9, from the recording's bytes (cbor-x, JSON, Uint16Array). */
async function independentMeans(): Promise<number[]> {
  const means: [number, number][] = []
  decodeMultiple(await readFile(XRD), (item: unknown) => {
    if (!(item instanceof Tag) || item.tag !== 42877) throw new Error('not a worker message')
    const [evn, streams] = item.value as [number, Record<string, Tag>]
    const [, frames] = (streams.xrd as Tag).value as [string, Uint8Array[]]
    const header = JSON.parse(new TextDecoder().decode(frames[0]))
    if (header.htype !== 'image') return
    const pixels = new Uint16Array(new Uint8Array(frames[1] as Uint8Array).buffer)
    const width = header.shape[1]
    let sum = 0
    for (let r = 0; r < 2; r++) for (let c = 8; c < 10; c++) sum += pixels[r * width + c] as number
    means.push([evn, sum / 4])
  })
  return means.sort((a, b) => a[0] - b[0]).map(([, m]) => m)
}

let dir: string
let params: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-replay-py-'))
  params = join(dir, 'params.json')
  await writeFile(params, JSON.stringify([{ name: 'roi', data: '0:2,8:10' }]))
})

describe('replay with Python analyses', () => {
  it.each([
    ['Python worker and reducer', PY_WORKER, PY_REDUCER],
    ['TypeScript worker, Python reducer', TS_WORKER, PY_REDUCER],
    ['Python worker, TypeScript reducer', PY_WORKER, TS_REDUCER],
  ])(
    '%s: the means of the recording',
    async (_what, worker, reducer) => {
      const out = join(dir, `${Math.random().toString(36).slice(2)}.json`)
      const args = ['replay', '-w', worker, '-r', reducer, '-f', XRD, '-p', params, '--out', out]
      await run(process.execPath, [repoPath('bin/beamloom.js'), ...args, '--no-progress'])
      const publish = JSON.parse(await readFile(out, 'utf8')) as { roi: { mean: number[] } }
      const expected = await independentMeans()
      expect(expected).toHaveLength(9)
      expect(publish.roi.mean).toEqual(expected)
    },
    60_000,
  )

  it('a Python module with a syntax error: one line naming file and line, exit 2', async () => {
    const bad = join(dir, 'bad.py')
    await writeFile(bad, 'class W:\n    def process_event(self, event\n')
    const err = await run(process.execPath, [
      repoPath('bin/beamloom.js'),
      'replay',
      '-w',
      `${bad}:W`,
      '-r',
      PY_REDUCER,
      '-f',
      XRD,
      '--no-progress',
    ]).catch((e: { code: number; stderr: string }) => e)
    expect(err).toMatchObject({ code: 2 })
    const lines = (err as { stderr: string }).stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/bad\.py:2: SyntaxError/)
  }, 60_000)
})
