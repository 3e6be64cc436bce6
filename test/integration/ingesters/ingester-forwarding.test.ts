import { afterEach, describe, expect, it } from 'vitest'
import { createSpotImages } from '../../../ingesters/stins/stins-images.js'
import { encodeStinsEnd, encodeStinsHeader, encodeStinsImage } from '../../../src/internal.js'
import type { RouteTuple } from '../../../src/protocol/scan-messages.js'
import { publish, Rig, startScan, stinsHeader, stopScan } from './harness.js'

const SHAPE = [16, 16] as const

/** The messages the simulator sends, rebuilt (it is deterministic). */
function expectedMessages(frames: number, compression: 'none' | 'bslz4'): Uint8Array[][] {
  const image = createSpotImages({ shape: SHAPE, dtype: 'uint16' })
  return [
    encodeStinsHeader({ msgNumber: 0, filename: 'simulated.h5' }),
    ...Array.from({ length: frames }, (_, frame) =>
      encodeStinsImage({
        msgNumber: frame + 1,
        frame,
        shape: SHAPE,
        data: image(frame),
        compression,
      }),
    ),
    encodeStinsEnd({ msgNumber: frames + 1 }),
  ]
}

const r = (from: number, to: number, workers: string[] | null) => [from, to, workers] as RouteTuple

let rig: Rig
afterEach(async () => {
  await rig.close()
  expect(rig.log.unexpected()).toEqual([])
})

describe('ingester forwarding (memory control plane, real sockets)', () => {
  it('reads exactly the assigned frames and forwards them byte-identical, batched per worker', async () => {
    rig = new Rig()
    const plane = await rig.plane()
    const sim = await rig.simulator({
      bind: 'tcp://127.0.0.1:*',
      frames: 6,
      shape: SHAPE,
      dtype: 'uint16',
      rateHz: 0,
      compression: 'none',
    })
    const ingester = await rig.ingester(plane, { url: sim.endpoint })
    const registered = await plane.get(plane.keys.process('ingester', 'eiger-ingester'))
    expect(JSON.parse(new TextDecoder().decode(registered))).toMatchObject({
      role: 'ingester',
      streams: ['eiger'],
      endpoints: { data: ingester.endpoint },
    })
    const a = await rig.worker(ingester.endpoint, 'a')
    const b = await rig.worker(ingester.endpoint, 'b')
    const scanId = await startScan(plane, ['eiger', 'other'], 9, { eiger: [4] })
    await expect.poll(() => ingester.scanId).toBe(scanId)
    await sim.done
    // 0: header to all; 1-3 → a; 4: no frame; 5: read and dropped; 6-7 → b; 8: series_end to all.
    await publish(plane, scanId, {
      released: [0, 9],
      routes: {
        eiger: [
          r(0, 1, ['a', 'b']),
          r(1, 4, ['a']),
          r(4, 5, null),
          r(5, 6, []),
          r(6, 8, ['b']),
          r(8, 9, ['a', 'b']),
        ],
        other: [r(0, 9, ['a'])],
      },
      workerSlots: { a: 0, b: 1 },
    })
    await expect.poll(() => a.numbers().length + b.numbers().length).toBe(9)
    expect(a.numbers()).toEqual([0, 1, 2, 3, 8])
    expect(b.numbers()).toEqual([0, 6, 7, 8])
    const sent = expectedMessages(6, 'none')
    // Upstream messages in order: header, images 0-5, end; event 5 consumed image 3.
    const messageOf: Record<number, number> = { 0: 0, 1: 1, 2: 2, 3: 3, 5: 4, 6: 5, 7: 6, 8: 7 }
    for (const [worker, slot] of [
      [a, 0],
      [b, 1],
    ] as const) {
      for (const event of worker.events()) {
        expect(Object.keys(event.streams)).toEqual(['eiger'])
        const data = event.streams.eiger!
        expect(data.typ).toBe('STINS')
        expect(event.slot).toBe(slot)
        const want = sent[messageOf[event.eventNumber]!]!
        expect(data.frames.map((f) => Buffer.from(f))).toEqual(want.map((p) => Buffer.from(p)))
      }
    }
    expect(stinsHeader(b.events()[1]!.streams.eiger!.frames)).toMatchObject({ frame: 4 })
    // Consecutive events for one worker travel together.
    expect(a.batches.length + b.batches.length).toBeLessThan(9)
    const stats = ingester.stats()!
    expect(stats.streams.eiger).toMatchObject({ read: 8, forwarded: 9, dropped: 1, errors: 0 })
    await stopScan(plane, scanId)
    await expect.poll(() => ingester.scanId).toBeUndefined()
  })

  it('broadcasts to every worker, also one that connects after the frames were read', async () => {
    rig = new Rig()
    const plane = await rig.plane()
    const sim = await rig.simulator({
      bind: 'tcp://127.0.0.1:*',
      frames: 2,
      shape: SHAPE,
      dtype: 'uint16',
      rateHz: 0,
      compression: 'bslz4',
    })
    const ingester = await rig.ingester(plane, { url: sim.endpoint })
    const workers = [
      await rig.worker(ingester.endpoint, 'w1'),
      await rig.worker(ingester.endpoint, 'w2'),
    ]
    const scanId = await startScan(plane, ['eiger'], 4)
    await expect.poll(() => ingester.scanId).toBe(scanId)
    const all = ['w1', 'w2', 'w3']
    await publish(plane, scanId, {
      released: [0, 4],
      routes: { eiger: [r(0, 4, all)] },
      workerSlots: { w1: 0, w2: 1, w3: 2 },
    })
    await expect.poll(() => ingester.stats()?.nextEvent).toBe(4)
    workers.push(await rig.worker(ingester.endpoint, 'w3'))
    const sent = expectedMessages(2, 'bslz4')
    for (const worker of workers) {
      await expect.poll(() => worker.numbers()).toEqual([0, 1, 2, 3])
      expect(worker.events().map((e) => Buffer.from(e.streams.eiger!.frames.at(-1)!))).toEqual(
        sent.map((m) => Buffer.from(m.at(-1)!)),
      )
    }
  })
})
