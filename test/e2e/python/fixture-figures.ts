/**
 * What the Python end-to-end tests expect of each shared fixture, computed here from the
 * recordings' bytes (cbor-x, JSON.parse, DataView) or taken from the fixtures README — never
 * from beamloom's parsers or the analyses under test.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeMultiple, Tag } from 'cbor-x'
import { createRawCaptureWriter, readRawCapture } from '../../../src/internal.js'
import { fixturePath, repoPath } from '../../harness/fixtures.js'
import { readContrastCapture } from '../devices/contrast-capture.js'
import { xspress3FrameSums } from '../devices/xspress3-capture.js'

/** The example modules, as `path:Class`. */
export const MODULES = {
  pyRoiWorker: `${repoPath('workers/examples/roi_mean.py')}:RoiMeanWorker`,
  pyRoiReducer: `${repoPath('reducer/examples/roi_mean.py')}:RoiMeanReducer`,
  tsRoiWorker: `${repoPath('workers/examples/roi-mean.ts')}:RoiMeanWorker`,
  tsRoiReducer: `${repoPath('reducer/examples/roi-mean.ts')}:RoiMeanReducer`,
  pyMapWorker: `${repoPath('workers/examples/fluorescence_map.py')}:FluorescenceMapWorker`,
  pyMapReducer: `${repoPath('reducer/examples/fluorescence_map.py')}:FluorescenceMapReducer`,
  tsMapWorker: `${repoPath('workers/examples/fluorescence-map.ts')}:FluorescenceMapWorker`,
  tsMapReducer: `${repoPath('reducer/examples/fluorescence-map.ts')}:FluorescenceMapReducer`,
  pandaWorker: `${repoPath('test/e2e/python/beamline_analyses.py')}:PandaWorker`,
  pandaReducer: `${repoPath('test/e2e/python/beamline_analyses.py')}:PandaReducer`,
  eigerWorker: `${repoPath('test/e2e/python/beamline_analyses.py')}:EigerWorker`,
  eigerReducer: `${repoPath('test/e2e/python/beamline_analyses.py')}:EigerReducer`,
} as const

/** The ROI of the STINS cases (rows 0–1, columns 8–9), as the examples' `roi` parameter. */
export const ROI = '0:2,8:10'

/**
 * dump_xrd.cbors (an ingester recording) written as a raw STINS capture in `dir`, for the STINS
 * simulator, and the ROI means of its nine images computed from the recorded bytes.
 */
export async function xrdCapture(dir: string): Promise<{ capture: string; means: number[] }> {
  const capture = join(dir, 'xrd.raw.cbors')
  const messages: Uint8Array[][] = []
  const means: number[] = []
  decodeMultiple(await readFile(fixturePath('dump_xrd.cbors')), (item: unknown) => {
    if (!(item instanceof Tag) || item.tag !== 42877) throw new Error('not a worker message')
    const [, streams] = item.value as [number, Record<string, Tag>]
    const [, frames] = (streams.xrd as Tag).value as [string, Uint8Array[]]
    messages.push(frames)
    const header = JSON.parse(new TextDecoder().decode(frames[0]))
    if (header.htype !== 'image') return
    const pixels = new Uint16Array(new Uint8Array(frames[1] as Uint8Array).buffer)
    const width = header.shape[1] as number
    let sum = 0
    for (let r = 0; r < 2; r++) for (let c = 8; c < 10; c++) sum += pixels[r * width + c] as number
    means.push(sum / 4)
  })
  const writer = await createRawCaptureWriter(capture)
  for (const frames of messages) await writer.write(frames)
  await writer.close()
  return { capture, means }
}

/** Rank of each value among the distinct values (rounded to 0.1: the mesh steps are ≥ 0.6). */
function ranks(values: readonly number[]): number[] {
  const rounded = values.map((v) => Math.round(v * 10) / 10)
  const distinct = [...new Set(rounded)].sort((a, b) => a - b)
  return rounded.map((v) => distinct.indexOf(v))
}

/**
 * The 5×4 fluorescence map of contrast-dump + xspress3-dump: each Xspress3 frame's spectra
 * sum, placed by the rank of the Contrast point's `sx` (column) and `sy` (row) read from the
 * pickles' bytes.
 */
export async function meshMap(): Promise<number[][]> {
  const sums = await xspress3FrameSums(fixturePath('xspress3-dump.cbors'))
  const points = (await readContrastCapture(fixturePath('contrast-dump.cbors'))).filter(
    (m) => m.status === 'running',
  )
  if (sums.length !== 20 || points.length !== 20) throw new Error('not the 5×4 mesh')
  const col = ranks(points.map((p) => p.sx ?? Number.NaN))
  const row = ranks(points.map((p) => p.sy ?? Number.NaN))
  const map = Array.from({ length: 5 }, () => Array<number>(4).fill(Number.NaN))
  for (const [i, sum] of sums.entries()) {
    const cells = map[row[i] as number] as number[]
    if (!Number.isNaN(cells[col[i] as number])) throw new Error('a mesh point twice')
    cells[col[i] as number] = sum
  }
  return map
}

/** The rows of pcap-zmq.cbors (JSON.parse of each data message): energy and inttime by row. */
export async function pandaRows(): Promise<{
  armTime: string
  energy: number[]
  inttime: number[]
}> {
  let armTime = ''
  const energy: number[] = []
  const inttime: number[] = []
  for await (const parts of readRawCapture(fixturePath('pcap-zmq.cbors'))) {
    const json = JSON.parse(new TextDecoder().decode(parts[0])) as Record<string, unknown>
    if (json.message_type === 'series-start') armTime = String(json.arm_time)
    if (json.message_type !== 'data') continue
    const first = json.frame_number as number
    for (const [i, e] of (json.energy as number[]).entries()) energy[first + i] = e
    for (const [i, t] of (json.inttime as number[]).entries()) inttime[first + i] = t
  }
  return { armTime, energy, inttime }
}

/**
 * eiger-small.cbors: the header's description and image count (its detector-config part,
 * JSON.parse), the images' shape, and, from the fixtures README, what the whole blocks of each
 * cut blob decode to: 251,904 pixels, 2708 of them 0xFFFFFFFF, the rest summing to 1185, 1070
 * and 1177.
 */
export async function eigerFigures(): Promise<{
  description: string
  nimages: number
  shape: number[]
  images: [pixels: number, saturated: number, rest: number][]
}> {
  const text = (part: Uint8Array | undefined) => new TextDecoder().decode(part)
  let description = ''
  let nimages = 0
  let shape: number[] = []
  for await (const parts of readRawCapture(fixturePath('eiger-small.cbors'))) {
    const head = JSON.parse(text(parts[0])) as { htype: string }
    if (head.htype === 'dheader-1.0' && parts.length === 9) {
      const config = JSON.parse(text(parts[1])) as { description: string; nimages: number }
      description = config.description
      nimages = config.nimages
    }
    if (head.htype === 'dimage-1.0')
      shape = (JSON.parse(text(parts[1])) as { shape: number[] }).shape
  }
  return {
    description,
    nimages,
    shape,
    images: [1185, 1070, 1177].map((rest) => [251_904, 2708, rest]),
  }
}
