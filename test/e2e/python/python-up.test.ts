import { execFile } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { stringify as toYaml } from 'yaml'
import { toJsonValue } from '../../../src/internal.js'
import { runDeviceScan } from '../../harness/device-scan.js'
import { fixturePath, repoPath } from '../../harness/fixtures.js'
import { eigerFigures, MODULES, meshMap, pandaRows, ROI, xrdCapture } from './fixture-figures.js'

// Python analyses in Dranspose's style under `beamloom up` (one process, in-memory control
// plane): each recorded device played by its simulator into its real ingester, two workers
// and the reducer each hosting a Python class (or a TypeScript one, mixed), values checked
// against figures computed from the fixtures' bytes (fixture-figures.ts).

const run = promisify(execFile)
let dir: string
let xrd: { capture: string; means: number[] }

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-py-up-'))
  xrd = await xrdCapture(dir)
  expect(xrd.means).toHaveLength(9)
})

const means = (publish: unknown) =>
  Array.from((publish as { roi: { mean: ArrayLike<number> } }).roi.mean)

describe('Python analyses under beamloom up', () => {
  it.each([
    ['Python worker and reducer', MODULES.pyRoiWorker, MODULES.pyRoiReducer],
    ['TypeScript worker, Python reducer', MODULES.tsRoiWorker, MODULES.pyRoiReducer],
    ['Python worker, TypeScript reducer', MODULES.pyRoiWorker, MODULES.tsRoiReducer],
  ])(
    'STINS (dump_xrd): %s give the ROI means of the images',
    async (_what, worker, reducer) => {
      const { progress, publish } = await runDeviceScan({
        simulate: [{ device: 'stins', stream: 'xrd', capture: xrd.capture }],
        frames: 9,
        worker,
        reducer,
        parameters: { roi: ROI },
      })
      expect(progress).toMatchObject({ finished: true, completed_events: 11 })
      expect(means(publish)).toEqual(xrd.means)
      if (reducer === MODULES.pyRoiReducer) {
        // numpy float64 / int64 arrive as typed arrays of that type.
        const roi = (publish as { roi: Record<string, unknown> }).roi
        expect(roi.mean).toBeInstanceOf(Float64Array)
        expect(roi.event_number).toEqual(BigInt64Array.from([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n]))
      }
    },
    120_000,
  )

  it.each([
    ['Python worker and reducer', MODULES.pyMapWorker, MODULES.pyMapReducer],
    ['TypeScript worker, Python reducer', MODULES.tsMapWorker, MODULES.pyMapReducer],
    ['Python worker, TypeScript reducer', MODULES.pyMapWorker, MODULES.tsMapReducer],
  ])(
    'Contrast + Xspress3 mesh: %s build the 5×4 fluorescence map',
    async (_what, worker, reducer) => {
      const expected = await meshMap()
      const { progress, publish } = await runDeviceScan({
        simulate: [
          { device: 'contrast', stream: 'contrast', capture: fixturePath('contrast-dump.cbors') },
          { device: 'xspress3', stream: 'xspress3', capture: fixturePath('xspress3-dump.cbors') },
        ],
        frames: 20,
        worker,
        reducer,
      })
      expect(progress).toMatchObject({ finished: true, total_events: 22, completed_events: 22 })
      const got = toJsonValue(publish) as {
        fluorescence: { map: number[][]; sx: number[]; sy: number[] }
        fluorescence_attrs: Record<string, unknown>
        points: number
        unplaced: number
      }
      expect(got.points).toBe(20)
      expect(got.unplaced).toBe(0)
      expect(got.fluorescence.map).toEqual(expected)
      expect(got.fluorescence.sy).toEqual([-2, -1, 0, 1, 2])
      for (const [i, x] of [-2, -2 / 3, 2 / 3, 2].entries()) {
        expect(got.fluorescence.sx[i]).toBeCloseTo(x, 12)
      }
      expect(got.fluorescence_attrs).toMatchObject({
        NX_class: 'NXdata',
        signal: 'map',
        axes: ['sy', 'sx'],
        description: 'mesh sx -2 2 3 sy -2 2 4 0.1',
      })
      if (reducer === MODULES.pyMapReducer) {
        // A float64 numpy map: rows of Float64Array, the N-D form every results surface serves.
        const map = (publish as { fluorescence: { map: unknown[] } }).fluorescence.map
        expect(map).toHaveLength(5)
        for (const row of map) expect(row).toBeInstanceOf(Float64Array)
      }
    },
    120_000,
  )

  it('PandABox (pcap-zmq): every row’s energy and integration time by row number', async () => {
    const rows = await pandaRows()
    expect(rows.energy).toHaveLength(1500)
    const { progress, publish } = await runDeviceScan({
      simulate: [{ device: 'pcap-zmq', stream: 'pcap', capture: fixturePath('pcap-zmq.cbors') }],
      frames: 1500,
      worker: MODULES.pandaWorker,
      reducer: MODULES.pandaReducer,
    })
    expect(progress).toMatchObject({ finished: true, completed_events: 1502 })
    const p = publish as { energy: Float64Array; inttime: Float64Array; rows: number }
    expect(p.energy).toBeInstanceOf(Float64Array)
    expect(p.rows).toBe(1500)
    expect(Array.from(p.energy)).toEqual(rows.energy)
    expect(Array.from(p.inttime)).toEqual(rows.inttime)
    // The start and the end reach both workers (all_wrap).
    expect((publish as { ends: number }).ends).toBe(2)
    expect(new Date((publish as { arm_time: string }).arm_time).toISOString()).toBe(
      new Date(rows.armTime).toISOString(),
    )
  }, 120_000)

  it('Eiger Stream V1 (eiger-small): the decoded prefix of each bs32-lz4 image', async () => {
    const figures = await eigerFigures()
    const { progress, publish } = await runDeviceScan({
      simulate: [
        { device: 'eiger-legacy', stream: 'eiger', capture: fixturePath('eiger-small.cbors') },
      ],
      frames: 3,
      worker: MODULES.eigerWorker,
      reducer: MODULES.eigerReducer,
    })
    expect(progress).toMatchObject({ finished: true, total_events: 5, completed_events: 5 })
    const p = publish as {
      header: { description: string; nimages: number }
      images: Record<string, BigUint64Array>
      shape: number[]
      ends: number
    }
    expect(p.header).toEqual({ description: figures.description, nimages: figures.nimages })
    expect(p.shape).toEqual(figures.shape)
    expect(p.ends).toBe(2)
    expect(Object.keys(p.images).sort()).toEqual(['0', '1', '2'])
    for (const [frame, figure] of figures.images.entries()) {
      const got = p.images[String(frame)]
      expect(got).toBeInstanceOf(BigUint64Array)
      expect(Array.from(got as BigUint64Array, Number)).toEqual(figure)
    }
  }, 120_000)

  it('a scan file naming .py modules: `beamloom up --scan scan.yaml --out`', async () => {
    const parameters = join(dir, 'roi.json')
    await writeFile(parameters, JSON.stringify([{ name: 'roi', data: ROI }]))
    const scan = join(dir, 'scan.yaml')
    const out = join(dir, 'scan-out.json')
    await writeFile(
      scan,
      toYaml({
        worker: MODULES.pyRoiWorker,
        reducer: MODULES.pyRoiReducer,
        workers: 2,
        simulate: [`stins:xrd:capture=${xrd.capture}`],
        frames: 9,
        parameters,
        port: 0,
        'reducer-port': 0,
        out,
      }),
    )
    const { stderr } = await run(process.execPath, [
      repoPath('bin/beamloom.js'),
      'up',
      '--scan',
      scan,
      '--no-progress',
    ])
    // Nine images give a result each; the header and the series end give none.
    expect(stderr).toMatch(/scan \S+ finished .*: 9 results reduced, 0 failed/)
    const publish = JSON.parse(await readFile(out, 'utf8')) as { roi: { mean: number[] } }
    expect(publish.roi.mean).toEqual(xrd.means)
  }, 120_000)
})
