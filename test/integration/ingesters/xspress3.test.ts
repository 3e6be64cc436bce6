import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createXspress3Simulator } from '../../../ingesters/xspress3/xspress3-simulator.js'
import { createXspress3UpstreamFactory } from '../../../ingesters/xspress3/xspress3-upstream.js'
import {
  createRawCaptureWriter,
  encodeXspress3End,
  encodeXspress3Frame,
  encodeXspress3Header,
  MISSING_FRAME_TYP,
  parseXspress3,
  readRawCapture,
  toNumpyArray,
  XSPRESS3_TYP,
  type Xspress3Data,
  type Xspress3Message,
} from '../../../src/internal.js'
import type { RouteTuple } from '../../../src/protocol/scan-messages.js'
import { fixturePath } from '../../harness/fixtures.js'
import { logMessages, publish, Rig, startScan } from './harness.js'

const r = (from: number, to: number, workers: string[] | null) => [from, to, workers] as RouteTuple

let rig: Rig
afterEach(async () => {
  await rig.close()
})

/** Sum of little-endian uint32 values of a raw part, read without the parser. */
function sumUint32(part: Uint8Array): number {
  const view = new DataView(part.buffer, part.byteOffset, part.byteLength)
  let sum = 0
  for (let i = 0; i + 4 <= part.byteLength; i += 4) sum += view.getUint32(i, true)
  return sum
}

/** The spectra sums of a raw capture's frames, in order, straight from the capture. */
async function captureSums(file: string): Promise<number[]> {
  const sums: number[] = []
  let spectraNext = false
  for await (const parts of readRawCapture(file)) {
    if (parts.length === 3) {
      sums.push(sumUint32(parts[1] as Uint8Array))
      continue
    }
    if (spectraNext) {
      sums.push(sumUint32(parts[0] as Uint8Array))
      spectraNext = false
      continue
    }
    const text = new TextDecoder().decode(parts[0])
    if (text.startsWith('{') && JSON.parse(text).htype === 'image') spectraNext = true
  }
  return sums
}

function sum(data: ArrayLike<number>): number {
  let s = 0
  for (let i = 0; i < data.length; i++) s += data[i] as number
  return s
}

/** Replay or generate a series into an ingester; the events worker `a` received, parsed. */
async function ingest(
  simOptions: Parameters<typeof createXspress3Simulator>[0],
  events: number,
): Promise<{ messages: Xspress3Message[]; frameCounts: number[] }> {
  const plane = await rig.plane()
  const sim = createXspress3Simulator(simOptions)
  rig.own(() => sim.close(), undefined)
  await sim.start()
  const ingester = await rig.deviceIngester(
    plane,
    createXspress3UpstreamFactory({ url: sim.endpoint }),
    { streams: ['xspress3'] },
  )
  const a = await rig.worker(ingester.endpoint, 'a')
  const scanId = await startScan(plane, ['xspress3'], events)
  await expect.poll(() => ingester.scanId).toBe(scanId)
  await publish(plane, scanId, {
    released: [0, events],
    routes: { xspress3: [r(0, events, ['a'])] },
    workerSlots: { a: 0 },
  })
  const expected = Array.from({ length: events }, (_, i) => i)
  await vi.waitFor(() => expect(a.numbers()).toEqual(expected), { timeout: 10_000 })
  expect(ingester.stats()?.streams.xspress3).toMatchObject({ read: events, errors: 0 })
  expect(await logMessages(plane)).toEqual([])
  expect(rig.log.unexpected()).toEqual([])
  const streams = a.events().map((e) => e.streams.xspress3 ?? { typ: '', frames: [] })
  for (const s of streams) expect(s.typ).toBe(XSPRESS3_TYP)
  return { messages: streams.map(parseXspress3), frameCounts: streams.map((s) => s.frames.length) }
}

describe('Xspress3 ingester', () => {
  it('joins the three-message form of a replayed capture (xspress3-dump) into one event per frame', async () => {
    rig = new Rig()
    const file = fixturePath('xspress3-dump.cbors')
    const expectedSums = await captureSums(file)
    expect(expectedSums).toHaveLength(20)
    const { messages, frameCounts } = await ingest(
      { bind: 'tcp://127.0.0.1:*', frames: 0, rateHz: 0, capture: file },
      22,
    )
    expect(frameCounts).toEqual([1, ...Array(20).fill(3), 1])
    expect(messages[0]?.kind).toBe('start')
    expect(messages[21]?.kind).toBe('end')
    const frames = messages.slice(1, 21) as Xspress3Data[]
    expect(frames.map((m) => m.kind)).toEqual(Array(20).fill('data'))
    expect(frames.map((m) => m.frame)).toEqual(Array.from({ length: 20 }, (_, i) => i))
    for (const m of frames) {
      expect(m.shape).toEqual([4, 4096])
      expect(m.spectra.length).toBe(4 * 4096)
      expect(Object.keys(m.meta)).toHaveLength(8)
    }
    expect(frames.map((m) => sum(m.spectra as Uint32Array))).toEqual(expectedSums)
  })

  it('passes the 3-part form of a replayed capture (xspress3-multipart) through as it is', async () => {
    rig = new Rig()
    const file = fixturePath('xspress3-multipart.cbors')
    const expectedSums = await captureSums(file)
    expect(expectedSums).toHaveLength(5)
    const { messages, frameCounts } = await ingest(
      { bind: 'tcp://127.0.0.1:*', frames: 0, rateHz: 0, capture: file },
      7,
    )
    expect(frameCounts).toEqual([1, 3, 3, 3, 3, 3, 1])
    expect(messages.map((m) => m.kind)).toEqual([
      'start',
      'data',
      'data',
      'data',
      'data',
      'data',
      'end',
    ])
    const frames = messages.slice(1, 6) as Xspress3Data[]
    for (const m of frames) expect(m.meta).toHaveProperty('window_counts')
    expect(frames.map((m) => sum(m.spectra as Uint32Array))).toEqual(expectedSums)
  })

  it.each(['three-messages', 'multipart'] as const)(
    'forwards a generated series (%s form)',
    async (form) => {
      rig = new Rig()
      const { messages } = await ingest(
        { bind: 'tcp://127.0.0.1:*', frames: 3, channels: 2, bins: 64, rateHz: 0, form },
        5,
      )
      expect(messages.map((m) => m.kind)).toEqual(['start', 'data', 'data', 'data', 'end'])
      for (const m of messages.slice(1, 4) as Xspress3Data[]) {
        expect(m.shape).toEqual([2, 64])
        expect(Object.keys(m.meta)).toEqual([
          'ocr',
          'AllEvents',
          'AllGood',
          'ClockTicks',
          'TotalTicks',
          'ResetTicks',
          'event_widths',
          'dtc',
        ])
        expect(Array.from((m.meta.AllEvents?.data ?? []) as Uint32Array)).toEqual(
          [0, 1].map((c) => sum((m.spectra as Uint32Array).subarray(c * 64, (c + 1) * 64))),
        )
      }
    },
  )

  it('skips a series joined late, drops a frame that broke off (its event is missing), puts the series end on the last event', async () => {
    rig = new Rig()
    const dir = await mkdtemp(join(tmpdir(), 'beamloom-xspress3-'))
    rig.own(() => rm(dir, { recursive: true, force: true }), undefined)
    const capture = join(dir, 'xspress3.cbors')
    const frame = (n: number) =>
      encodeXspress3Frame({
        frame: n,
        spectra: new Uint32Array([n, 1, 2, 3]),
        shape: [1, 4],
        meta: [toNumpyArray(new Float64Array([1]))],
      })
    const split = (parts: Uint8Array[]) => parts.map((p) => [p])
    const messages = [
      // The spectra and metadata of a frame of an older series.
      ...split(frame(7)).slice(1),
      encodeXspress3Header({ filename: 'late.h5' }),
      ...split(frame(0)),
      // Frame 1 loses its metadata: the next JSON starts a new frame.
      ...split(frame(1)).slice(0, 2),
      frame(2),
      encodeXspress3End(),
    ]
    const writer = await createRawCaptureWriter(capture)
    for (const m of messages) await writer.write(m)
    await writer.close()

    const plane = await rig.plane()
    const sim = createXspress3Simulator({
      bind: 'tcp://127.0.0.1:*',
      frames: 0,
      rateHz: 0,
      capture,
    })
    rig.own(() => sim.close(), undefined)
    await sim.start()
    const ingester = await rig.deviceIngester(
      plane,
      createXspress3UpstreamFactory({ url: sim.endpoint }),
      { streams: ['xspress3'] },
    )
    const a = await rig.worker(ingester.endpoint, 'a')
    const scanId = await startScan(plane, ['xspress3'], 6)
    await expect.poll(() => ingester.scanId).toBe(scanId)
    await publish(plane, scanId, {
      released: [0, 6],
      routes: { xspress3: [r(0, 6, ['a'])] },
      workerSlots: { a: 0 },
    })
    const expectedLogs = [
      'invalid upstream message dropped: Xspress3 frame 1 broke off before its spectra and metadata',
      "stream 'xspress3': frame 1 never came from the device (the next was frame 2); their events fail with FRAME_MISSING",
      "stream 'xspress3': frame 3 never came from the device (the series ended first); their events fail with FRAME_MISSING",
    ]
    await vi.waitFor(async () => expect(await logMessages(plane)).toEqual(expectedLogs), {
      timeout: 10_000,
    })
    await vi.waitFor(() => expect(a.numbers()).toEqual([0, 1, 2, 3, 4, 5]))
    const events = a.events().map((e) => e.streams.xspress3 ?? { typ: '', frames: [] })
    expect(events.map((d) => d.typ)).toEqual([
      XSPRESS3_TYP,
      XSPRESS3_TYP,
      MISSING_FRAME_TYP,
      XSPRESS3_TYP,
      MISSING_FRAME_TYP,
      XSPRESS3_TYP,
    ])
    const parsed = [0, 1, 3, 5].map((i) => parseXspress3(events[i]!))
    expect(parsed.map((m) => m.kind)).toEqual(['start', 'data', 'data', 'end'])
    expect(parsed.filter((m) => m.kind === 'data').map((m) => (m as Xspress3Data).frame)).toEqual([
      0, 2,
    ])
    expect(rig.log.unexpected().map((l) => l.message)).toEqual(expectedLogs)
    expect(ingester.stats()?.streams.xspress3).toMatchObject({ invalid: 1, missing: 2, errors: 0 })
  })
})
