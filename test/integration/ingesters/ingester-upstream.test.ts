import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createRawCaptureWriter,
  encodeStinsEnd,
  encodeStinsHeader,
  encodeStinsImage,
  MISSING_FRAME_TYP,
  missingFrameError,
} from '../../../src/internal.js'
import type { RouteTuple } from '../../../src/protocol/scan-messages.js'
import { logMessages, publish, Rig, startScan, stinsHeader } from './harness.js'

const r = (from: number, to: number, workers: string[] | null) => [from, to, workers] as RouteTuple

let rig: Rig
afterEach(async () => {
  await rig.close()
})

describe('ingester upstream', () => {
  it('reports upstream-lost when the device disconnects mid-scan', async () => {
    rig = new Rig()
    const plane = await rig.plane()
    const sim = await rig.simulator({
      bind: 'tcp://127.0.0.1:*',
      frames: 1000,
      shape: [8, 8],
      dtype: 'uint16',
      rateHz: 200,
      compression: 'none',
    })
    const ingester = await rig.ingester(plane, { url: sim.endpoint, lostAfterMs: 100 })
    const a = await rig.worker(ingester.endpoint, 'a')
    const scanId = await startScan(plane, ['eiger'], 1002)
    await expect.poll(() => ingester.scanId).toBe(scanId)
    await publish(plane, scanId, {
      released: [0, 1002],
      routes: { eiger: [r(0, 1002, ['a'])] },
      workerSlots: { a: 0 },
    })
    await expect.poll(() => a.numbers().length).toBeGreaterThan(2)
    await sim.close({ force: true })
    await expect
      .poll(() => logMessages(plane))
      .toEqual([
        expect.stringMatching(
          /^upstream-lost: stream 'eiger' \(waiting for the frame of event \d+\): the device at .* disconnected/,
        ),
      ])
    expect(ingester.stats()).toMatchObject({ upstreamLost: true })
    expect(ingester.stats()?.streams.eiger?.errors).toBe(1)
    expect(rig.log.unexpected([/upstream-lost/])).toEqual([])
  })

  it('a series that ends before the scan does: the frames that never came are missing, the end goes to the last event; the next scan reopens', async () => {
    rig = new Rig()
    const plane = await rig.plane()
    const sim = await rig.simulator({
      bind: 'tcp://127.0.0.1:*',
      frames: 1,
      shape: [8, 8],
      dtype: 'uint16',
      rateHz: 0,
      compression: 'none',
    })
    const ingester = await rig.ingester(plane, { url: sim.endpoint })
    const a = await rig.worker(ingester.endpoint, 'a')
    const first = await startScan(plane, ['eiger'], 5)
    await expect.poll(() => ingester.scanId).toBe(first)
    await publish(plane, first, {
      released: [0, 5],
      routes: { eiger: [r(0, 5, ['a'])] },
      workerSlots: { a: 0 },
    })
    await expect.poll(() => a.numbers()).toEqual([0, 1, 2, 3, 4])
    const got = a.events().map((e) => e.streams.eiger!)
    expect(got.map((d) => (d.typ === 'STINS' ? stinsHeader(d.frames).htype : d.typ))).toEqual([
      'header',
      'image',
      MISSING_FRAME_TYP,
      MISSING_FRAME_TYP,
      'series_end',
    ])
    expect(missingFrameError({ eiger: got[2]! })?.message).toBe(
      "stream 'eiger': frame 1 never came from the device (the series ended first)",
    )
    expect(missingFrameError({ eiger: got[3]! })?.message).toMatch(/frame 2 never came/)
    expect(ingester.stats()?.streams.eiger).toMatchObject({ missing: 2, errors: 0 })
    await expect
      .poll(() => logMessages(plane))
      .toEqual([
        "stream 'eiger': frame 1 to frame 2 (2 frames) never came from the device (the series ended first); their events fail with FRAME_MISSING",
      ])
    // A new scan with a new series: the upstream is opened again.
    const sim2 = await rig.simulator({
      bind: 'tcp://127.0.0.1:*',
      frames: 1,
      shape: [8, 8],
      dtype: 'uint16',
      rateHz: 0,
      compression: 'none',
    })
    const ingester2 = await rig.ingester(
      plane,
      { url: sim2.endpoint },
      { name: 'second', streams: ['eiger2'] },
    )
    const b = await rig.worker(ingester2.endpoint, 'b')
    const second = await startScan(plane, ['eiger2'], 3)
    await expect.poll(() => ingester2.scanId).toBe(second)
    // The first ingester serves no stream of the second scan: it closed its session.
    await expect.poll(() => ingester.scanId).toBeUndefined()
    await publish(plane, second, {
      released: [0, 3],
      routes: { eiger2: [r(0, 3, ['b'])] },
      workerSlots: { b: 0 },
    })
    await expect.poll(() => b.numbers()).toEqual([0, 1, 2])
    expect(rig.log.unexpected([/never came from the device/])).toEqual([])
  })

  it('waits for a device that starts late, skips what precedes its header (capture replay)', async () => {
    rig = new Rig()
    const plane = await rig.plane()
    const sim = await rig.simulator({
      bind: 'tcp://127.0.0.1:*',
      frames: 2,
      shape: [8, 8],
      dtype: 'uint8',
      rateHz: 0,
      compression: 'none',
    })
    const endpoint = sim.endpoint
    await sim.close()
    const ingester = await rig.ingester(plane, { url: endpoint })
    const a = await rig.worker(ingester.endpoint, 'a')
    const scanId = await startScan(plane, ['eiger'], 4)
    await expect.poll(() => ingester.scanId).toBe(scanId)
    await publish(plane, scanId, {
      released: [0, 4],
      routes: { eiger: [r(0, 4, ['a'])] },
      workerSlots: { a: 0 },
    })
    // The late device replays a capture that starts with a left-over image of an older series.
    const dir = await mkdtemp(join(tmpdir(), 'beamloom-capture-'))
    rig.own(() => rm(dir, { recursive: true, force: true }), undefined)
    const capture = join(dir, 'stins.cbors')
    const image = (frame: number) =>
      encodeStinsImage({
        msgNumber: frame + 1,
        frame,
        shape: [2, 2],
        data: new Uint8Array([frame, 1, 2, 3]),
      })
    const messages = [
      image(9),
      encodeStinsHeader({ msgNumber: 0 }),
      image(0),
      image(1),
      encodeStinsEnd({ msgNumber: 3 }),
    ]
    const writer = await createRawCaptureWriter(capture)
    for (const m of messages) await writer.write(m)
    await writer.close()
    await rig.simulator({
      bind: endpoint,
      frames: 0,
      shape: [1, 1],
      dtype: 'uint8',
      rateHz: 0,
      compression: 'none',
      capture,
    })
    await expect.poll(() => a.numbers()).toEqual([0, 1, 2, 3])
    expect(a.events().map((e) => Buffer.concat(e.streams.eiger!.frames))).toEqual(
      messages.slice(1).map((m) => Buffer.concat(m)),
    )
    expect(rig.log.unexpected()).toEqual([])
  })
})
