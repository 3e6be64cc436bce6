import { afterEach, describe, expect, it } from 'vitest'
import type { WorkerName } from '../../../src/internal.js'
import type { RouteTuple } from '../../../src/protocol/scan-messages.js'
import { publish, Rig, startScan, stopScan } from './harness.js'

const w = (name: string) => name as WorkerName

const r = (from: number, to: number, workers: string[] | null) => [from, to, workers] as RouteTuple

let rig: Rig
afterEach(async () => {
  await rig.close()
  expect(rig.log.unexpected()).toEqual([])
})

describe('ingester on real Redis', () => {
  it('follows the scan, forwards, re-routes and frees its buffer through Redis', async () => {
    rig = new Rig()
    const plane = await rig.plane('redis')
    const sim = await rig.simulator({
      bind: 'tcp://127.0.0.1:*',
      frames: 20,
      shape: [32, 32],
      dtype: 'uint32',
      rateHz: 0,
      compression: 'bslz4',
    })
    const ingester = await rig.ingester(plane, { url: sim.endpoint })
    const a = await rig.worker(ingester.endpoint, 'a')
    const b = await rig.worker(ingester.endpoint, 'b')
    const scanId = await startScan(plane, ['eiger'], 22)
    await expect.poll(() => ingester.scanId).toBe(scanId)
    await publish(plane, scanId, {
      released: [0, 12],
      routes: { eiger: [r(0, 1, ['a', 'b']), r(1, 12, ['a'])] },
      workerSlots: { a: 0, b: 1 },
    })
    await publish(plane, scanId, {
      released: [12, 22],
      routes: { eiger: [r(12, 21, ['b']), r(21, 22, ['a', 'b'])] },
    })
    await expect.poll(() => a.numbers().length + b.numbers().length).toBe(24)
    await publish(plane, scanId, {
      rerouted: [[5, 12]],
      routes: { eiger: [r(5, 12, ['b'])] },
      slots: [[5, 12, w('b'), 0]],
      completedFrontier: 5,
    })
    await expect.poll(() => b.numbers().length).toBe(18)
    expect(
      b
        .events()
        .slice(-7)
        .map((e) => [e.eventNumber, e.slot]),
    ).toEqual([5, 6, 7, 8, 9, 10, 11].map((n) => [n, 0]))
    await publish(plane, scanId, { completedFrontier: 22 })
    await expect.poll(() => ingester.stats()?.bufferBytes).toBe(0)
    await stopScan(plane, scanId)
    await expect.poll(() => ingester.scanId).toBeUndefined()
    expect(ingester.stats()?.streams.eiger).toMatchObject({
      read: 22,
      forwarded: 31,
      resent: 7,
      errors: 0,
    })
  })
})
