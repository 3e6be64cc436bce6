import { execFile } from 'node:child_process'
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { decodeMultiple, Tag } from 'cbor-x'
import { beforeAll, describe, expect, it } from 'vitest'
import { runReplay } from '../../cli/replay/run-replay.js'
import { toJsonValue } from '../../src/internal.js'
import { fixturePath, repoPath } from '../harness/fixtures.js'

const run = promisify(execFile)
const XRD = fixturePath('dump_xrd.cbors')
const WORKER = `${repoPath('workers/examples/roi-mean.ts')}:RoiMeanWorker`
const REDUCER = `${repoPath('reducer/examples/roi-mean.ts')}:RoiMeanReducer`

/**
 * The ROI means computed straight from the recording's bytes, without any beamloom code:
 * cbor-x for the records, JSON.parse for the STINS header, a Uint16Array for the pixels.
 */
async function independentMeans(rows: [number, number], cols: [number, number]) {
  const out = new Map<number, number>()
  const items: unknown[] = []
  decodeMultiple(await readFile(XRD), (item: unknown) => {
    items.push(item)
  })
  for (const item of items) {
    if (!(item instanceof Tag) || item.tag !== 42877) throw new Error('not a worker message')
    const [evn, streams] = item.value as [number, Record<string, Tag>]
    const [, frames] = (streams.xrd as Tag).value as [string, Uint8Array[]]
    const header = JSON.parse(new TextDecoder().decode(frames[0]))
    if (header.htype !== 'image') continue
    const blob = frames[1] as Uint8Array
    const pixels = new Uint16Array(new Uint8Array(blob).buffer)
    const width = header.shape[1]
    let sum = 0
    for (let r = rows[0]; r < rows[1]; r++)
      for (let c = cols[0]; c < cols[1]; c++) sum += pixels[r * width + c] as number
    out.set(evn, sum / ((rows[1] - rows[0]) * (cols[1] - cols[0])))
  }
  return out
}

let dir: string
let paramsFile: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-replay-'))
  paramsFile = join(dir, 'params.json')
  await writeFile(paramsFile, JSON.stringify([{ name: 'roi', data: '0:2,8:10' }]))
})

describe('replaying dump_xrd.cbors through the ROI-mean example', () => {
  it.each([1, 2, 3])('gives the independently computed means with %i workers', async (workers) => {
    const expected = await independentMeans([0, 2], [8, 10])
    expect(expected.size).toBe(9)
    const report = await runReplay({
      worker: WORKER,
      reducer: REDUCER,
      files: [XRD],
      parametersFile: paramsFile,
      workers,
    })
    expect(report.failures).toEqual([])
    expect(report.events).toBe(11)
    const roi = (
      report.publish as { roi: { event_number: number[]; frame: number[]; mean: number[] } }
    ).roi
    expect(roi.event_number).toEqual([...expected.keys()].sort((a, b) => a - b))
    expect(roi.frame).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8])
    roi.event_number.forEach((evn, i) => {
      expect(roi.mean[i]).toBeCloseTo(expected.get(evn) as number, 12)
    })
  })

  it('uses the whole image when no parameters are given', async () => {
    const expected = await independentMeans([0, 10], [0, 10])
    const report = await runReplay({ worker: WORKER, reducer: REDUCER, files: [XRD] })
    const roi = (report.publish as { roi: { mean: number[] } }).roi
    expect(roi.mean).toEqual([...expected.values()])
  })
})

describe('user modules outside the project tree', () => {
  const workerSrc = `
interface Stream { typ: string; frames: Uint8Array[] }
export class SumWorker {
  #seen = 0
  constructor(_init: unknown) {}
  processEvent(event: { eventNumber: number; streams: Record<string, Stream> }) {
    this.#seen++
    const s = event.streams.xrd
    if (!s) return undefined
    const head = JSON.parse(new TextDecoder().decode(s.frames[0]))
    if (head.htype !== 'image') return { kind: head.htype }
    const px = new Uint16Array(new Uint8Array(s.frames[1]).buffer)
    let sum = 0
    for (const v of px) sum += v
    return { kind: 'image', frame: head.frame, sum, max: Math.max(...px) }
  }
}
`
  const reducerSrc = `
export class SumReducer {
  publish: { sums: Record<string, number>; maxima: number[]; headers: number; ends: number } =
    { sums: {}, maxima: new Array(9).fill(0), headers: 0, ends: 0 }
  constructor(_init: unknown) {}
  processResult(result: { eventNumber: number; payload: any }) {
    const p = result.payload
    if (p.kind === 'image') {
      this.publish.sums[String(result.eventNumber)] = p.sum
      this.publish.maxima[p.frame] = p.max
    } else if (p.kind === 'header') this.publish.headers = 1
    else if (p.kind === 'series_end') this.publish.ends = 1
  }
  finish() { this.publish.maxima = this.publish.maxima.map((m) => m) }
}
`
  it('replays with 1 and with 3 workers to the same published result', async () => {
    const ext = await mkdtemp(join(tmpdir(), 'beamloom-user-'))
    await writeFile(join(ext, 'worker.ts'), workerSrc)
    await writeFile(join(ext, 'reducer.ts'), reducerSrc)
    const recording = join(ext, 'scan.cbors')
    await copyFile(XRD, recording)
    const one = await runReplay({
      worker: 'worker.ts:SumWorker',
      reducer: 'reducer.ts:SumReducer',
      files: [recording],
      workers: 1,
      cwd: ext,
    })
    const three = await runReplay({
      worker: 'worker.ts:SumWorker',
      reducer: 'reducer.ts:SumReducer',
      files: [recording],
      workers: 3,
      cwd: ext,
    })
    expect(one.failures).toEqual([])
    expect(three.failures).toEqual([])
    // Header and series end go to every worker: 1 + 9 + 1 results with one worker, 3 + 9 + 3 with three.
    expect(one.results).toBe(11)
    expect(three.results).toBe(15)
    expect(Object.keys((one.publish as { sums: object }).sums)).toHaveLength(9)
    expect(toJsonValue(three.publish)).toEqual(toJsonValue(one.publish))
  })
})

describe('the beamloom replay command', () => {
  const bin = repoPath('bin/beamloom.js')

  it('writes publish as JSON and exits 0', async () => {
    const out = join(dir, 'publish.json')
    const { stderr } = await run(process.execPath, [
      bin,
      'replay',
      '-w',
      WORKER,
      '-r',
      REDUCER,
      '-f',
      XRD,
      '-p',
      paramsFile,
      '--workers',
      '3',
      '--out',
      out,
    ])
    expect(stderr).toMatch(/replayed 11 events/)
    const publish = JSON.parse(await readFile(out, 'utf8'))
    const expected = await independentMeans([0, 2], [8, 10])
    expect(publish.roi.mean).toHaveLength(9)
    publish.roi.mean.forEach((m: number, i: number) => {
      expect(m).toBeCloseTo(expected.get(publish.roi.event_number[i]) as number, 12)
    })
    expect(publish.roi_attrs.roi).toBe('0:2,8:10')
  })

  it('names the event and the module when user code fails, goes on, and exits 1', async () => {
    const failing = join(dir, 'failing.ts')
    await writeFile(
      failing,
      `export class W { processEvent(e: { eventNumber: number }) { if (e.eventNumber % 4 === 3) throw new Error('boom'); return { n: e.eventNumber } } }
export class R { publish = { n: [] as number[] }; processResult(r: { payload: { n: number } }) { this.publish.n.push(r.payload.n) } }
`,
    )
    const out = join(dir, 'failing.json')
    const err = await run(process.execPath, [
      bin,
      'replay',
      '-w',
      `${failing}:W`,
      '-r',
      `${failing}:R`,
      '-f',
      XRD,
      '--workers',
      '1',
      '--out',
      out,
    ]).catch((e) => e)
    expect(err.code).toBe(1)
    expect(err.stderr).toContain(`${failing}:W (event 3): processEvent() failed: boom`)
    expect(err.stderr).toContain('(event 7)')
    expect(err.stderr).toMatch(/2 events failed/)
    // The other events went on.
    expect(JSON.parse(await readFile(out, 'utf8')).n).toHaveLength(9)

    const fast = await run(process.execPath, [
      bin,
      'replay',
      '-w',
      `${failing}:W`,
      '-r',
      `${failing}:R`,
      '-f',
      XRD,
      '--fail-fast',
    ]).catch((e) => e)
    expect(fast.code).toBe(1)
    expect(fast.stderr).toContain('(event 3)')
    expect(fast.stderr).not.toContain('(event 7)')
    expect(fast.stderr).toContain('--fail-fast')
  })

  it('exits 2 with a clear message for a missing module or a truncated recording', async () => {
    const missing = await run(process.execPath, [
      bin,
      'replay',
      '-w',
      'nope.ts:W',
      '-r',
      REDUCER,
      '-f',
      XRD,
    ]).catch((e) => e)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/error: 'nope\.ts:W': no such file/)

    const cut = join(dir, 'cut.cbors')
    await writeFile(cut, (await readFile(XRD)).subarray(0, 1000))
    const truncated = await run(process.execPath, [
      bin,
      'replay',
      '-w',
      WORKER,
      '-r',
      REDUCER,
      '-f',
      cut,
    ]).catch((e) => e)
    expect(truncated.code).toBe(2)
    expect(truncated.stderr).toMatch(new RegExp(`error: ${cut}: .*at byte offset \\d+`))
    expect(truncated.stderr).not.toMatch(/\n\s+at /)
  })
})
