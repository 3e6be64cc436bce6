import { readFile } from 'node:fs/promises'
import { decodeMultiple, type Tag } from 'cbor-x'
import { afterEach, describe, expect, it } from 'vitest'
import type { CallOutcome, WorkerRunner } from '../../../src/analysis/analysis-runner.js'
import { createPythonWorkerRunner, decodePayload, readRecording } from '../../../src/internal.js'
import { fixturePath, repoPath } from '../../harness/fixtures.js'
import {
  captureMessages,
  collectLog,
  event,
  LIMITS,
  pyModule,
  textParameters,
} from './python-harness.js'

const runners: WorkerRunner[] = []
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()))
})

async function start(spec: string): Promise<WorkerRunner> {
  const runner = await createPythonWorkerRunner(spec, { limits: LIMITS, log: collectLog().log })
  runners.push(runner)
  await runner.begin({
    parameters: textParameters({ roi: '0:2,8:10' }),
    state: { name: 'w0', tags: ['generic'] },
  })
  return runner
}

function payloads(outcomes: CallOutcome[]): unknown[] {
  return outcomes.map((o) => (o.kind === 'result' ? decodePayload(o.payload) : o.kind))
}

/** The ROI means of dump_xrd from the recording's bytes: cbor-x, JSON and a Uint16Array. */
async function independentRoiMeans(): Promise<number[]> {
  const means: number[] = []
  decodeMultiple(await readFile(fixturePath('dump_xrd.cbors')), (item: unknown) => {
    const [, streams] = (item as Tag).value as [number, Record<string, Tag>]
    const [, frames] = (streams.xrd as Tag).value as [string, Uint8Array[]]
    const header = JSON.parse(new TextDecoder().decode(frames[0]))
    if (header.htype !== 'image') return
    const pixels = new Uint16Array(new Uint8Array(frames[1] as Uint8Array).buffer)
    let sum = 0
    for (const r of [0, 1]) for (const c of [8, 9]) sum += pixels[r * header.shape[1] + c] as number
    means.push(sum / 4)
  })
  return means
}

describe('Python worker runner over the MAX IV recordings', () => {
  it('runs the Python ROI-mean example on dump_xrd (STINS) with the independently computed means', async () => {
    const runner = await start(`${repoPath('workers/examples/roi_mean.py')}:RoiMeanWorker`)
    expect(runner.parameters.map((p) => p.name)).toEqual(['roi', 'stream'])
    const events = []
    for await (const msg of readRecording(fixturePath('dump_xrd.cbors')))
      events.push({ event: msg, tick: false })
    const out = payloads(
      await runner.processEvents(events, textParameters({ roi: '0:2,8:10', stream: '' })),
    )
    expect(out[0]).toBe('none') // header
    expect(out[10]).toBe('none') // series end
    const means = out.slice(1, 10).map((p) => (p as { mean: number }).mean)
    expect(means).toEqual(await independentRoiMeans())
    expect(means).toEqual([9.25, 11.25, 11.75, 4.25, 2.25, 3, 4.75, 7.75, 10.75])
  })

  it('reads Contrast + Xspress3 mesh points: spectra sums and motor positions', async () => {
    const runner = await start(pyModule('devices.py', 'DeviceWorker'))
    const xs = await captureMessages('xspress3-dump.cbors')
    const contrast = (await captureMessages('contrast-dump.cbors')).filter((m) =>
      // running points only: the pickled dict holds 'running' as a short unicode string
      Buffer.from(m[0] as Uint8Array).includes('running'),
    )
    expect(contrast).toHaveLength(20)
    const events = []
    const expectedSums: number[] = []
    for (let i = 0; i < 20; i++) {
      const parts = [xs[1 + 3 * i]?.[0], xs[2 + 3 * i]?.[0], xs[3 + 3 * i]?.[0]] as Uint8Array[]
      const spectra = new Uint32Array(new Uint8Array(parts[1] as Uint8Array).buffer)
      expectedSums.push(spectra.reduce((a, b) => a + b, 0))
      events.push(
        event(i + 1, {
          xspress3: ['xspress', parts],
          contrast: ['contrast', contrast[i] as Uint8Array[]],
        }),
      )
    }
    const out = payloads(await runner.processEvents(events, textParameters({}))) as {
      spectra_sum: number
      shape: number[]
      ocr: Float64Array
      x: number
      y: number
    }[]
    expect(out.map((o) => o.spectra_sum)).toEqual(expectedSums)
    expect(out.every((o) => o.shape.join('x') === '4x4096' && o.ocr.length === 4)).toBe(true)
    // 'mesh sx -2 2 3 sy -2 2 4': 4 positions of x (3 intervals), 5 of y (4 intervals)
    expect(new Set(out.map((o) => o.x.toFixed(1))).size).toBe(4)
    expect(new Set(out.map((o) => o.y.toFixed(1))).size).toBe(5)
  })

  it('reads PandA (zmq) batches and Eiger legacy frames', async () => {
    const runner = await start(pyModule('devices.py', 'DeviceWorker'))
    const panda = await captureMessages('pcap-zmq.cbors')
    const eiger = await captureMessages('eiger-small.cbors')
    const events = panda.map((m, i) => event(i, { panda: ['PCAP', m] }))
    const pandaOut = payloads(await runner.processEvents(events, textParameters({}))) as (
      | { rows: number; energy: number }
      | string
    )[]
    const batches = panda
      .slice(1, -1)
      .map((m) => JSON.parse(new TextDecoder().decode(m[0])) as { energy: number[] })
    expect(pandaOut.slice(1, -1)).toEqual(
      batches.map((b) => ({ rows: b.energy.length, energy: b.energy.reduce((a, x) => a + x, 0) })),
    )
    expect(batches.reduce((n, b) => n + b.energy.length, 0)).toBe(1500)
    const eigerOut = payloads(
      await runner.processEvents(
        eiger.map((m, i) => event(i, { eiger: ['EIGER_LEGACY', m] })),
        textParameters({}),
      ),
    )
    expect(eigerOut).toEqual([
      { header: 32 },
      { frame: 0, blob: eiger[1]?.[2]?.length },
      { frame: 1, blob: eiger[2]?.[2]?.length },
      { frame: 2, blob: eiger[3]?.[2]?.length },
      'none',
    ])
  })
})
