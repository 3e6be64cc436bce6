import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { h5Id } from '../../../reducer/hdf5-rest/h5-id.js'
import { fixturePath } from '../../harness/fixtures.js'
import { ProcessDeployment, uniformMap } from '../../harness/process-deployment.js'
import { eigerFigures, MODULES, meshMap, pandaRows, ROI, xrdCapture } from './fixture-figures.js'

// Python analyses in Dranspose's style as separate processes on Redis: `beamloom controller`,
// `beamloom reducer -r module.py:Class`, two `beamloom worker -w module.py:Class`, one
// `beamloom ingester <device>` per stream and `beamloom simulate <device> --capture` replaying
// the shared fixtures. Values are read over HTTP from the reducer and checked against figures
// computed from the fixtures' bytes (fixture-figures.ts).

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
let deployment: ProcessDeployment | undefined
let dir: string
let xrd: { capture: string; means: number[] }

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-py-processes-'))
  xrd = await xrdCapture(dir)
})

afterEach(async () => {
  await deployment?.close()
  deployment = undefined
}, 30_000)

async function deploy(
  worker: string,
  reducer: string,
  sources: { device: string; stream: string }[],
): Promise<ProcessDeployment> {
  deployment = new ProcessDeployment({ redisUrl: REDIS_URL, worker, reducer, sources })
  await deployment.start()
  return deployment
}

describe('Python analyses as separate worker and reducer processes on Redis', () => {
  it.each([
    ['Python worker and reducer', MODULES.pyRoiWorker, MODULES.pyRoiReducer],
    ['TypeScript worker, Python reducer', MODULES.tsRoiWorker, MODULES.pyRoiReducer],
  ])(
    'STINS (dump_xrd): %s give the ROI means of the images',
    async (_what, worker, reducer) => {
      const d = await deploy(worker, reducer, [{ device: 'stins', stream: 'xrd' }])
      await d.setParameter('roi', ROI)
      d.simulate('xrd', xrd.capture)
      await d.startScan(uniformMap(['xrd'], 9))
      const end = await d.waitEnded()
      expect(end, d.output()).toMatchObject({ status: 'finished', completed_events: 11 })
      expect(await d.result<number[]>('roi/mean')).toEqual(xrd.means)
      if (reducer !== MODULES.pyRoiReducer) return
      // HDF5-REST serves the Python reducer's numpy float64 and int64 arrays as such.
      const dataset = async (path: string[]) =>
        (await fetch(`${d.reducer}/datasets/${h5Id('datasets', path)}`)).json()
      expect(await dataset(['roi', 'mean'])).toMatchObject({
        shape: { dims: [9] },
        type: { base: 'H5T_IEEE_F64LE' },
      })
      expect(await dataset(['roi', 'event_number'])).toMatchObject({
        shape: { dims: [9] },
        type: { base: 'H5T_STD_I64LE' },
      })
    },
    180_000,
  )

  it('Contrast + Xspress3 mesh: the Python fluorescence map', async () => {
    const expected = await meshMap()
    const d = await deploy(MODULES.pyMapWorker, MODULES.pyMapReducer, [
      { device: 'contrast', stream: 'contrast' },
      { device: 'xspress3', stream: 'xspress3' },
    ])
    d.simulate('contrast', fixturePath('contrast-dump.cbors'))
    d.simulate('xspress3', fixturePath('xspress3-dump.cbors'))
    await d.startScan(uniformMap(['contrast', 'xspress3'], 20))
    const end = await d.waitEnded()
    expect(end, d.output()).toMatchObject({ status: 'finished', completed_events: 22 })
    expect(await d.result<number[][]>('fluorescence/map')).toEqual(expected)
    expect(await d.result<number[]>('fluorescence/sy')).toEqual([-2, -1, 0, 1, 2])
    expect(await d.result<number>('points')).toBe(20)
    expect(await d.result<number>('unplaced')).toBe(0)
  }, 180_000)

  it('PandABox (pcap-zmq): every row’s energy by row number', async () => {
    const rows = await pandaRows()
    const d = await deploy(MODULES.pandaWorker, MODULES.pandaReducer, [
      { device: 'pcap-zmq', stream: 'pcap' },
    ])
    d.simulate('pcap', fixturePath('pcap-zmq.cbors'))
    await d.startScan(uniformMap(['pcap'], 1500))
    const end = await d.waitEnded()
    expect(end, d.output()).toMatchObject({ status: 'finished', completed_events: 1502 })
    expect(await d.result<number[]>('energy')).toEqual(rows.energy)
    expect(await d.result<number[]>('inttime')).toEqual(rows.inttime)
    expect(await d.result<number>('rows')).toBe(1500)
  }, 180_000)

  it('Eiger Stream V1 (eiger-small): the decoded prefix of each bs32-lz4 image', async () => {
    const figures = await eigerFigures()
    const d = await deploy(MODULES.eigerWorker, MODULES.eigerReducer, [
      { device: 'eiger-legacy', stream: 'eiger' },
    ])
    d.simulate('eiger', fixturePath('eiger-small.cbors'))
    await d.startScan(uniformMap(['eiger'], 3))
    const end = await d.waitEnded()
    expect(end, d.output()).toMatchObject({ status: 'finished', completed_events: 5 })
    expect(await d.result('header')).toEqual({
      description: figures.description,
      nimages: figures.nimages,
    })
    for (const [frame, figure] of figures.images.entries()) {
      expect(await d.result<number[]>(`images/${frame}`)).toEqual(figure)
    }
  }, 180_000)
})
