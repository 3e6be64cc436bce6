import { afterEach, describe, expect, it, vi } from 'vitest'
import { createEigerLegacySimulator } from '../../../ingesters/eiger-legacy/eiger-legacy-simulator.js'
import { createEigerLegacyUpstreamFactory } from '../../../ingesters/eiger-legacy/eiger-legacy-upstream.js'
import {
  EIGER_LEGACY_TYP,
  type EigerLegacyData,
  MISSING_FRAME_TYP,
  parseEigerLegacy,
} from '../../../src/internal.js'
import type { RouteTuple } from '../../../src/protocol/scan-messages.js'
import { fixturePath } from '../../harness/fixtures.js'
import { logMessages, publish, Rig, startScan } from './harness.js'

const r = (from: number, to: number, workers: string[] | null) => [from, to, workers] as RouteTuple

let rig: Rig
afterEach(async () => {
  await rig.close()
})

/** Pixels equal to 0xFFFFFFFF, and the sum of the others. */
function counts(data: ArrayLike<number>): { masked: number; sum: number } {
  let masked = 0
  let sum = 0
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number
    if (v === 0xffffffff) masked++
    else sum += v
  }
  return { masked, sum }
}

describe('Eiger V1 ingester', () => {
  it('forwards a replayed capture (eiger-small) that the workers parse to the recorded images', async () => {
    rig = new Rig()
    const plane = await rig.plane()
    const sim = createEigerLegacySimulator({
      bind: 'tcp://127.0.0.1:*',
      frames: 0,
      shape: [1, 1],
      rateHz: 0,
      capture: fixturePath('eiger-small.cbors'),
    })
    rig.own(() => sim.close(), undefined)
    await sim.start()
    const factory = createEigerLegacyUpstreamFactory({ url: sim.endpoint })
    const ingester = await rig.deviceIngester(plane, factory)
    const a = await rig.worker(ingester.endpoint, 'a')
    const b = await rig.worker(ingester.endpoint, 'b')
    const scanId = await startScan(plane, ['eiger'], 5)
    await expect.poll(() => ingester.scanId).toBe(scanId)
    await publish(plane, scanId, {
      released: [0, 5],
      routes: { eiger: [r(0, 1, ['a', 'b']), r(1, 4, ['a']), r(4, 5, ['a', 'b'])] },
      workerSlots: { a: 0, b: 1 },
    })
    await vi.waitFor(() => expect(a.numbers()).toEqual([0, 1, 2, 3, 4]), { timeout: 10_000 })
    await vi.waitFor(() => expect(b.numbers()).toEqual([0, 4]))

    const messages = a.events().map((e) => {
      const stream = e.streams.eiger
      expect(stream?.typ).toBe(EIGER_LEGACY_TYP)
      return parseEigerLegacy(stream ?? { typ: '', frames: [] })
    })
    expect(messages.map((m) => m.kind)).toEqual(['start', 'data', 'data', 'data', 'end'])
    expect(a.events()[0]?.streams.eiger?.frames).toHaveLength(9)
    const start = messages[0]
    if (start?.kind !== 'start') throw new Error('no header')
    expect(start.headerDetail).toBe('all')
    const images = messages.slice(1, 4) as EigerLegacyData[]
    expect(images.map((m) => m.frame)).toEqual([0, 1, 2])
    for (const m of images) {
      expect(m.image.shape).toEqual([3262, 3108])
      expect(m.image.complete).toBe(false)
      expect(m.image.data.length).toBe(251_904)
    }
    expect(counts(images[0]?.image.data as Uint32Array)).toEqual({ masked: 2708, sum: 1185 })
    // The gap pixels (0xFFFFFFFF) are the same in every frame; the counts differ.
    expect(counts(images[1]?.image.data as Uint32Array)).toEqual({ masked: 2708, sum: 1070 })
    expect(counts(images[2]?.image.data as Uint32Array)).toEqual({ masked: 2708, sum: 1177 })
    expect(ingester.stats()?.streams.eiger).toMatchObject({ read: 5, errors: 0 })
    expect(await logMessages(plane)).toEqual([])
    expect(rig.log.unexpected()).toEqual([])
  })

  it('forwards a generated series shorter than the scan: the frames it never had are missing, its end goes to the last event', async () => {
    rig = new Rig()
    const plane = await rig.plane()
    const sim = createEigerLegacySimulator({
      bind: 'tcp://127.0.0.1:*',
      frames: 3,
      shape: [16, 24],
      rateHz: 0,
    })
    rig.own(() => sim.close(), undefined)
    await sim.start()
    const ingester = await rig.deviceIngester(
      plane,
      createEigerLegacyUpstreamFactory({ url: sim.endpoint }),
    )
    const a = await rig.worker(ingester.endpoint, 'a')
    const scanId = await startScan(plane, ['eiger'], 7)
    await expect.poll(() => ingester.scanId).toBe(scanId)
    await publish(plane, scanId, {
      released: [0, 7],
      routes: { eiger: [r(0, 7, ['a'])] },
      workerSlots: { a: 0 },
    })
    await vi.waitFor(
      async () =>
        expect(await logMessages(plane)).toEqual([
          "stream 'eiger': frame 3 to frame 4 (2 frames) never came from the device (the series ended first); their events fail with FRAME_MISSING",
        ]),
      { timeout: 10_000 },
    )
    await vi.waitFor(() => expect(a.numbers()).toEqual([0, 1, 2, 3, 4, 5, 6]))
    const events = a.events().map((e) => e.streams.eiger ?? { typ: '', frames: [] })
    // Events 4 and 5 wait for frames 3 and 4, which the series never had.
    expect(events.slice(4, 6).map((d) => d.typ)).toEqual([MISSING_FRAME_TYP, MISSING_FRAME_TYP])
    const messages = [...events.slice(0, 4), events[6]!].map((d) => parseEigerLegacy(d))
    expect(messages.map((m) => m.kind)).toEqual(['start', 'data', 'data', 'data', 'end'])
    for (const [i, m] of (messages.slice(1, 4) as EigerLegacyData[]).entries()) {
      expect(m.frame).toBe(i)
      expect(m.image.shape).toEqual([16, 24])
      expect(m.image.complete).toBe(true)
      expect(m.compression).toBe('bslz4')
    }
    expect(rig.log.unexpected([/never came from the device/])).toEqual([])
  })
})
