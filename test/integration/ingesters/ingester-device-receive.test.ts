// The ingester receives device frames into reused memory (`deviceReceive: zmtp`, the default):
// a frame's memory may be written again only once nothing can read it. These tests fail if a
// frame were handed back too early (at reading, at sending, or before the completed frontier
// passed it): a re-sent frame would then carry the bytes of a later one.

import { randomUUID } from 'node:crypto'
import { createServer, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createLecroySimulator } from '../../../ingesters/lecroy/lecroy-simulator.js'
import { createLecroyUpstreamFactory } from '../../../ingesters/lecroy/lecroy-upstream.js'
import type { WorkerName } from '../../../src/internal.js'
import { FrameSlabs, type ScanId, streamName } from '../../../src/internal.js'
import { publish, Rig, route, startScan, stinsHeader, stinsSeries } from './harness.js'

const r = route
const simulator = (frames: number, shape: [number, number] = [32, 32]) => stinsSeries(frames, shape)

let rig: Rig
afterEach(async () => {
  await rig.close()
})

/** Each event's parts as one buffer, per event number. */
function framesOf(events: readonly { eventNumber: number; streams: Record<string, unknown> }[]) {
  const out = new Map<number, Buffer>()
  for (const e of events) {
    const stream = e.streams.eiger as { frames: Uint8Array[] }
    out.set(e.eventNumber, Buffer.concat(stream.frames.map((f) => Buffer.from(f))))
  }
  return out
}

describe('ingester frame memory', () => {
  it('re-sends kept frames intact after later frames filled reused slabs', async () => {
    rig = new Rig()
    const plane = await rig.plane()
    // 1000 images of 32 KiB through 256 KiB slabs (~7 frames each), 32 MB in all: more than the
    // socket buffers hold, so the device waits while the ingester waits for releases, and later
    // frames are read only after earlier ones were handed back.
    const sim = await rig.simulator(simulator(1000, [128, 128]))
    const ingester = await rig.ingester(
      plane,
      { url: sim.endpoint, receiveHighWaterMark: 4 },
      { frameSlabBytes: 256 * 1024 },
    )
    const a = await rig.worker(ingester.endpoint, 'a')
    const b = await rig.worker(ingester.endpoint, 'b')
    const total = 1002
    const scanId = await startScan(plane, ['eiger'], total)
    await expect.poll(() => ingester.scanId).toBe(scanId)
    await publish(plane, scanId, {
      released: [0, 150],
      routes: { eiger: [r(0, total, ['a'])] },
      workerSlots: { a: 0, b: 1 },
    })
    await expect.poll(() => a.numbers().length, { timeout: 20_000 }).toBe(150)
    // a completed events below 100: their memory goes back, and the next frames are read into it.
    await publish(plane, scanId, { released: [150, total], completedFrontier: 100 })
    await expect.poll(() => a.numbers().length, { timeout: 20_000 }).toBe(total)
    expect(ingester.frameSlabStats!.slabsReused).toBeGreaterThan(0)
    const original = framesOf(a.events())
    // a dies holding events 100…1001; they move to b, which gets the kept frames again.
    await a.dealer.close()
    await publish(plane, scanId, {
      rerouted: [[100, total]],
      routes: { eiger: [r(100, total, ['b'])] },
      slots: [[100, total, 'b' as WorkerName, 0]],
    })
    await expect.poll(() => b.numbers().length, { timeout: 20_000 }).toBe(total - 100)
    const resent = framesOf(b.events())
    const differ = []
    for (let event = 100; event < total; event++) {
      if (!resent.get(event)!.equals(original.get(event)!)) differ.push(event)
    }
    expect(differ).toEqual([])
    // And each is the frame of its own event (header, images 0…299, end).
    const image = b.events().find((e) => e.eventNumber === 200)!
    expect(stinsHeader(image.streams.eiger!.frames)).toMatchObject({ htype: 'image', frame: 199 })
    expect(rig.log.unexpected()).toEqual([])
  })

  it('keeps the LeCroy sequence start that heads every event of a continuous run intact', async () => {
    rig = new Rig()
    const sim = createLecroySimulator({
      bind: 'tcp://127.0.0.1:*',
      frames: 60,
      mode: 'continuous',
      samples: 200,
      rateHz: 0,
    })
    rig.own(() => sim.close(), undefined)
    await sim.start()
    // Small slabs, and every event's parts handed back as soon as it is read (as the frontier
    // would once a worker completed it): reused memory would show in the shared sequence start.
    const slabs = new FrameSlabs({ slabBytes: 16_384 })
    const stream = streamName('scope')
    const upstream = createLecroyUpstreamFactory({ url: sim.endpoint }).create({
      scanId: randomUUID() as ScanId,
      streams: [stream],
      logger: rig.log.logger,
      onInvalid: () => {},
      frameSlabs: slabs,
    })
    rig.own(() => upstream.close(), undefined)
    await upstream.start()
    const heads: Uint8Array[] = []
    let first: Buffer | undefined
    const signal = AbortSignal.timeout(20_000)
    for (;;) {
      const message = await upstream.next(stream, signal).catch(() => undefined)
      if (message === undefined) break
      if (message.kind === 'data') {
        const head = message.parts[0]!
        first ??= Buffer.from(head)
        heads.push(head)
      }
      for (const part of message.parts) slabs.recycle(part)
      if (message.kind === 'end') break
    }
    expect(heads).toHaveLength(60)
    expect(slabs.stats().slabsReused).toBeGreaterThan(0)
    // The first event's own parts were handed back; every later event's head is the seed.
    const changed = heads.slice(1).filter((h) => !Buffer.from(h).equals(first!))
    expect(changed).toEqual([])
  })

  it('warns about a device that breaks ZMTP, and keeps trying to connect', async () => {
    rig = new Rig()
    const plane = await rig.plane()
    const sockets: Socket[] = []
    let connections = 0
    const server = createServer((socket) => {
      connections++
      sockets.push(socket)
      socket.on('error', () => {})
      socket.write('not zmtp at all')
    })
    rig.own(
      () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy()
          server.close(() => resolve())
        }),
      undefined,
    )
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `tcp://127.0.0.1:${(server.address() as { port: number }).port}`
    const ingester = await rig.ingester(plane, { url })
    const scanId = await startScan(plane, ['eiger'], 3)
    await expect.poll(() => ingester.scanId).toBe(scanId)
    await expect.poll(() => connections, { timeout: 20_000 }).toBeGreaterThanOrEqual(2)
    await expect
      .poll(() => rig.log.lines.filter((l) => l.level === 'warn'))
      .toContainEqual(
        expect.objectContaining({
          message: 'dropped the device connection: it broke ZMTP; reconnecting',
          fields: expect.objectContaining({ url, code: 'ZMTP_BAD_GREETING' }),
        }),
      )
  })

  it('reads into fresh memory with deviceReceive zeromq, and forwards the same bytes', async () => {
    rig = new Rig()
    const plane = await rig.plane()
    const sim = await rig.simulator(simulator(20))
    const ingester = await rig.ingester(plane, { url: sim.endpoint }, { deviceReceive: 'zeromq' })
    const a = await rig.worker(ingester.endpoint, 'a')
    const scanId = await startScan(plane, ['eiger'], 22)
    await expect.poll(() => ingester.scanId).toBe(scanId)
    await publish(plane, scanId, {
      released: [0, 22],
      routes: { eiger: [r(0, 22, ['a'])] },
      workerSlots: { a: 0 },
      completedFrontier: 0,
    })
    await expect.poll(() => a.numbers().length, { timeout: 20_000 }).toBe(22)
    expect(ingester.frameSlabStats).toBeUndefined()
    expect(rig.log.lines.some((l) => l.fields.receive === 'zeromq')).toBe(true)
    expect(rig.log.unexpected()).toEqual([])
  })
})
