import { describe, expect, it } from 'vitest'
import { runDeviceScan } from '../../harness/device-scan.js'
import { fixturePath, repoPath } from '../../harness/fixtures.js'
import { readContrastCapture } from './contrast-capture.js'
import { xspress3FrameSums } from './xspress3-capture.js'

const WORKER = `${repoPath('workers/examples/fluorescence-map.ts')}:FluorescenceMapWorker`
const REDUCER = `${repoPath('reducer/examples/fluorescence-map.ts')}:FluorescenceMapReducer`

/** Rank of each value among the distinct values (rounded to 0.1: the mesh steps are ≥ 0.6). */
function ranks(values: readonly number[]): number[] {
  const rounded = values.map((v) => Math.round(v * 10) / 10)
  const distinct = [...new Set(rounded)].sort((a, b) => a - b)
  return rounded.map((v) => distinct.indexOf(v))
}

interface MapPublish {
  fluorescence: { map: number[][]; sx: number[]; sy: number[] }
  fluorescence_attrs: Record<string, unknown>
  points: number
  unplaced: number
}

/**
 * Issue 5's multi-device scan: Contrast (motor positions) and Xspress3 (spectra) of the same
 * 5×4 mesh, each played by its simulator into its real ingester, under one trigger map (start,
 * 20 points, end; both streams in every event), through two workers to a reducer that builds
 * the fluorescence map (workers/ and reducer/examples/fluorescence-map.ts). The expected map is
 * computed here from the capture bytes: the spectra sums of the Xspress3 frames, placed by the
 * rank of the positions read from the Contrast pickles' bytes.
 */
describe('mesh scan: Contrast + Xspress3 under one trigger map', () => {
  it('builds the 5×4 fluorescence map placed by the Contrast motor positions', async () => {
    const sums = await xspress3FrameSums(fixturePath('xspress3-dump.cbors'))
    const points = (await readContrastCapture(fixturePath('contrast-dump.cbors'))).filter(
      (m) => m.status === 'running',
    )
    expect(sums).toHaveLength(20)
    expect(points).toHaveLength(20)
    const col = ranks(points.map((p) => p.sx ?? Number.NaN))
    const row = ranks(points.map((p) => p.sy ?? Number.NaN))
    expect(Math.max(...col)).toBe(3)
    expect(Math.max(...row)).toBe(4)
    const expected = Array.from({ length: 5 }, () => Array<number>(4).fill(Number.NaN))
    for (const [i, sum] of sums.entries()) {
      const cells = expected[row[i] as number] as number[]
      expect(cells[col[i] as number], 'each mesh point once').toBeNaN()
      cells[col[i] as number] = sum
    }

    const { progress, publish } = await runDeviceScan({
      simulate: [
        { device: 'contrast', stream: 'contrast', capture: fixturePath('contrast-dump.cbors') },
        { device: 'xspress3', stream: 'xspress3', capture: fixturePath('xspress3-dump.cbors') },
      ],
      frames: 20,
      worker: WORKER,
      reducer: REDUCER,
    })
    expect(progress).toMatchObject({ finished: true, total_events: 22, completed_events: 22 })
    const got = publish as MapPublish
    expect(got.points).toBe(20)
    expect(got.unplaced).toBe(0)
    expect(got.fluorescence.map).toEqual(expected)
    expect(got.fluorescence.sx).toHaveLength(4)
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
  })
})
