import { afterEach, describe, expect, it } from 'vitest'
import type { WorkerName } from '../../../src/internal.js'
import { publish, Rig, route, startScan, stinsHeader, stinsSeries } from './harness.js'

const r = route
const simulator = (frames: number) => stinsSeries(frames)

let rig: Rig
afterEach(async () => {
  await rig.close()
})

describe('ingester delivery guarantees', () => {
  it('re-sends the kept frames of re-routed events to the new worker, with their old slot', async () => {
    rig = new Rig()
    const plane = await rig.plane()
    const sim = await rig.simulator(simulator(4))
    const ingester = await rig.ingester(plane, { url: sim.endpoint })
    const a = await rig.worker(ingester.endpoint, 'a')
    const b = await rig.worker(ingester.endpoint, 'b')
    const scanId = await startScan(plane, ['eiger'], 6)
    await expect.poll(() => ingester.scanId).toBe(scanId)
    await publish(plane, scanId, {
      released: [0, 6],
      routes: { eiger: [r(0, 1, ['a', 'b']), r(1, 5, ['a']), r(5, 6, ['a', 'b'])] },
      workerSlots: { a: 0, b: 1 },
    })
    await expect.poll(() => a.numbers()).toEqual([0, 1, 2, 3, 4, 5])
    const framesOfA = a.events().map((e) => Buffer.from(e.streams.eiger!.frames[0]!))
    // a dies after event 2 completed; its constraint moves to b.
    await a.dealer.close()
    await publish(plane, scanId, {
      rerouted: [[3, 6]],
      routes: { eiger: [r(3, 5, ['b']), r(5, 6, ['b'])] },
      slots: [[3, 5, 'b' as WorkerName, 0]],
      completedFrontier: 3,
    })
    await expect.poll(() => b.numbers()).toEqual([0, 5, 3, 4])
    const resent = b.events().slice(2)
    expect(resent.map((e) => e.slot)).toEqual([0, 0])
    expect(resent.map((e) => Buffer.from(e.streams.eiger!.frames[0]!))).toEqual(
      framesOfA.slice(3, 5),
    )
    expect(ingester.stats()!.streams.eiger!.resent).toBe(2)
    expect(rig.log.unexpected()).toEqual([])
  })

  it('delivers again what a failed send to a still-connected worker did not deliver', async () => {
    rig = new Rig()
    const plane = await rig.plane()
    const sim = await rig.simulator(simulator(4))
    const ingester = await rig.ingester(plane, { url: sim.endpoint })
    const a = await rig.worker(ingester.endpoint, 'a')
    await expect.poll(() => ingester.router?.workers.has('a' as WorkerName)).toBe(true)
    // The first send fails while 'a' stays connected (as when it reconnected and its hello
    // came before the failure was known): nothing else will make the ingester try again.
    const router = ingester.router as unknown as {
      sendTo: (
        worker: WorkerName,
        parts: readonly Uint8Array[],
        signal?: AbortSignal,
      ) => Promise<void>
    }
    const send = router.sendTo.bind(router)
    let failed = 0
    router.sendTo = async (worker, parts, signal) => {
      if (failed === 0) {
        failed++
        throw new Error('lost on the way')
      }
      return send(worker, parts, signal)
    }
    const scanId = await startScan(plane, ['eiger'], 6)
    await expect.poll(() => ingester.scanId).toBe(scanId)
    await publish(plane, scanId, {
      released: [0, 6],
      routes: { eiger: [r(0, 6, ['a'])] },
      workerSlots: { a: 0 },
    })
    await expect.poll(() => [...a.numbers()].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5])
    expect(failed).toBe(1)
    expect(a.numbers()).toHaveLength(6)
    expect(rig.log.unexpected().map((l) => l.message)).toEqual(['batch not delivered; frames kept'])
  })

  it('pauses reading upstream while the buffer is full and resumes as the frontier frees it', async () => {
    rig = new Rig()
    const plane = await rig.plane()
    const sim = await rig.simulator(simulator(6))
    // One kept header or image fills the buffer.
    const ingester = await rig.ingester(plane, { url: sim.endpoint }, { bufferBytes: 1 })
    const a = await rig.worker(ingester.endpoint, 'a')
    const scanId = await startScan(plane, ['eiger'], 8)
    await expect.poll(() => ingester.scanId).toBe(scanId)
    await publish(plane, scanId, {
      released: [0, 8],
      routes: { eiger: [r(0, 8, ['a'])] },
      workerSlots: { a: 0 },
    })
    await expect.poll(() => a.numbers()).toEqual([0])
    await expect.poll(() => ingester.stats()?.pauses).toBe(1)
    expect(ingester.stats()).toMatchObject({ nextEvent: 1, keptEvents: 1 })
    await publish(plane, scanId, { completedFrontier: 1 })
    await expect.poll(() => a.numbers()).toEqual([0, 1])
    expect(ingester.stats()).toMatchObject({ nextEvent: 2, keptEvents: 1, completedFrontier: 1 })
    // Each event completes only after it was delivered, as in a real scan.
    for (let frontier = 2; frontier < 8; frontier++) {
      await publish(plane, scanId, { completedFrontier: frontier })
      await expect.poll(() => a.numbers().length).toBe(frontier + 1)
    }
    expect(a.numbers()).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(ingester.stats()?.pauses).toBe(7)
    expect(stinsHeader(a.events()[7]!.streams.eiger!.frames)).toMatchObject({ htype: 'series_end' })
    await expect.poll(() => ingester.stats()?.bufferBytes).toBeGreaterThan(0)
    await publish(plane, scanId, { completedFrontier: 9 })
    await expect.poll(() => ingester.stats()?.bufferBytes).toBe(0)
    expect(ingester.stats()?.keptEvents).toBe(0)
    expect(rig.log.unexpected()).toEqual([])
  })

  it('warns about a worker that never connects and keeps its frames for a re-route', async () => {
    rig = new Rig()
    const plane = await rig.plane()
    const sim = await rig.simulator(simulator(1))
    const ingester = await rig.ingester(plane, { url: sim.endpoint }, { helloTimeoutMs: 50 })
    const b = await rig.worker(ingester.endpoint, 'b')
    const scanId = await startScan(plane, ['eiger'], 3)
    await expect.poll(() => ingester.scanId).toBe(scanId)
    await publish(plane, scanId, {
      released: [0, 3],
      routes: { eiger: [r(0, 3, ['ghost'])] },
      workerSlots: { ghost: 0, b: 1 },
    })
    await expect.poll(() => ingester.stats()?.nextEvent).toBe(3)
    await expect
      .poll(() => rig.log.unexpected().map((l) => l.message))
      .toEqual([expect.stringMatching(/worker 'ghost' is not connected/)])
    await publish(plane, scanId, { rerouted: [[0, 3]], routes: { eiger: [r(0, 3, ['b'])] } })
    await expect.poll(() => b.numbers()).toEqual([0, 1, 2])
  })
})
