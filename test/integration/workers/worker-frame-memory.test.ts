import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ControlPlane } from '../../../src/control/control-plane.js'
import {
  decodePayload,
  EventBatchBuilder,
  eventNumber,
  type ScanId,
  slot,
  streamName,
} from '../../../src/internal.js'
import { createWorker, type WorkerService } from '../../../workers/worker-service.js'
import { repoPath } from '../../harness/fixtures.js'
import { fillByteOf } from '../../harness/keeping-analysis.js'
import { frameDigest } from './fixtures/analyses.js'
import {
  captureLogger,
  FakeController,
  fakeIngester,
  fakeReducer,
  fixture,
  openPlane,
  Resources,
  route,
} from './harness.js'

// A worker reads its ingester links with its own ZMTP into slabs of memory that it reuses once
// an event is over, and only when the analysis got a copy of the frames (a worker thread).
// These tests send frames of 100 KiB through slabs of 256 KiB, so that slabs are reused many
// times within a scan, and check every byte the analysis saw.

const res = new Resources()
let logger = captureLogger()
let counter = 0

afterEach(async () => {
  await res.closeAll()
  logger = captureLogger()
})

const FRAME_BYTES = 100 * 1024

/** Event `n`'s frame: bytes that differ from every other event's. */
function frameOf(n: number): Uint8Array {
  const frame = new Uint8Array(FRAME_BYTES)
  let x = (n + 1) * 2654435761
  for (let i = 0; i < frame.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    frame[i] = x >>> 24
  }
  return frame
}

function batch(scan: ScanId, from: number, to: number, fill: (n: number) => Uint8Array) {
  const b = new EventBatchBuilder(scan)
  for (let e = from; e < to; e++) b.add(eventNumber(e), slot(0), streamName('a'), 'raw', [fill(e)])
  return b.finish()
}

async function startWorker(
  plane: ControlPlane,
  module: string,
  isolation: 'thread' | 'inline',
): Promise<WorkerService> {
  const worker = createWorker(
    {
      name: `fm${process.pid}-${counter++}`,
      workerModule: module,
      heartbeatMs: 200,
      isolation,
      eventTimeoutMs: 1500,
      frameSlabBytes: 256 * 1024,
      batchEvents: 10,
      windowEvents: 128,
      maxWindowEvents: 128,
    },
    { plane, logger },
  )
  res.add(worker, (w) => w.close({ force: true }))
  await worker.start()
  return worker
}

/** A worker in a scan of `total` events of `stream`, all routed to it, with a fake ingester. */
async function scan(module: string, isolation: 'thread' | 'inline', stream: string, total: number) {
  const plane = await openPlane('memory', res)
  const ingester = await fakeIngester(plane, res, 'ing-a', [stream])
  const reducer = await fakeReducer(plane, res)
  const worker = await startWorker(plane, module, isolation)
  const name = worker.workerName
  await vi.waitFor(() => expect(ingester.router.workers.has(name)).toBe(true))
  const ctl = new FakeController(plane)
  await ctl.start([stream])
  await ctl.assign({ released: [0, total], routes: { [stream]: [route(0, total, [name])] } })
  return { ingester, reducer, worker, name, ctl }
}

describe('worker frame memory (own ZMTP receive)', () => {
  it('reuses slabs once events are over, and every event, one run again after a time-out among them, reads its own bytes', async () => {
    const total = 60
    const { ingester, reducer, worker, name, ctl } = await scan(
      fixture('DigestWorker'),
      'thread',
      'a',
      total,
    )
    // Events 10–19 come first, and 15 never returns: the analysis is replaced, and the rest of
    // that batch is run again from the frames the worker kept, but only after 0–9 (which came
    // meanwhile, and are slow): ready events run lowest first. The last batches are sent once
    // the time-out is known, so that they arrive while 10–19 wait, into the slabs that would be
    // free had 10–19 been handed back when they were put back.
    await ingester.router.sendTo(name, batch(ctl.scanId, 10, 20, frameOf))
    // Received (its 10 frames in 5 slabs): the session takes them for a call at once, before
    // the next batch can be read.
    await vi.waitFor(() => expect(worker.frameSlabStats().slabsAllocated).toBe(5))
    await ingester.router.sendTo(name, batch(ctl.scanId, 0, 10, frameOf))
    await vi.waitFor(() => expect(worker.session?.stats.faults).toBe(1), { timeout: 15_000 })
    for (let from = 20; from < 40; from += 10) {
      await ingester.router.sendTo(name, batch(ctl.scanId, from, from + 10, frameOf))
    }
    // The last batches once 0–9 are over: into their slabs, filled again.
    await vi.waitFor(() => expect(worker.frameSlabStats().partsRecycled).toBeGreaterThan(10), {
      timeout: 15_000,
    })
    for (let from = 40; from < total; from += 10) {
      await ingester.router.sendTo(name, batch(ctl.scanId, from, from + 10, frameOf))
    }
    await vi.waitFor(() => expect(reducer.items).toHaveLength(total - 1), { timeout: 15_000 })
    const seen = new Map<number, { digest: number; bytes: number }>()
    for (const item of reducer.items) {
      if (item.eventNumber === 33) {
        expect(item.outcome).toBe('failed')
        continue
      }
      expect(item.outcome).toBe('result')
      if (item.outcome !== 'result') continue
      const p = decodePayload(item.payload) as { event: number; digest: number; bytes: number }
      seen.set(p.event, p)
    }
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual(
      [...Array(total).keys()].filter((e) => e !== 15 && e !== 33),
    )
    for (const [e, p] of seen) {
      expect({ e, digest: p.digest, bytes: p.bytes }).toEqual({
        e,
        digest: frameDigest(frameOf(e)),
        bytes: FRAME_BYTES,
      })
    }
    const stats = worker.frameSlabStats()
    // The frames of every result and of the failed event were handed back, and slabs were
    // filled again: two frames fit a slab, so without reuse the 60 frames would have taken 30.
    expect(stats.partsRecycled).toBe(total - 1)
    expect(stats.slabsReused).toBeGreaterThan(0)
    expect(stats.slabsAllocated).toBeLessThan(total / 2)
    // And /metrics says so.
    const metrics = await worker.metrics.registry.metrics()
    expect(metrics).toContain(`beamloom_worker_frames_recycled_total ${total - 1}\n`)
    expect(metrics).toContain(`beamloom_worker_frame_slabs_reused_total ${stats.slabsReused}\n`)
    expect(metrics).toContain(
      `beamloom_worker_frame_slabs_allocated_total ${stats.slabsAllocated}\n`,
    )
  })

  it('uses no slabs for an analysis in the worker’s own thread: it may keep frames', async () => {
    const keeping = `${repoPath('test/harness/keeping-analysis.ts')}:KeepingWorker`
    const total = 60
    const { ingester, reducer, worker, name, ctl } = await scan(keeping, 'inline', 'cam', total)
    const filled = (n: number) => new Uint8Array(FRAME_BYTES).fill(fillByteOf(n))
    for (let from = 0; from < total; from += 10) {
      const b = new EventBatchBuilder(ctl.scanId)
      for (let e = from; e < from + 10; e++) {
        b.add(eventNumber(e), slot(0), streamName('cam'), 'raw', [filled(e)])
      }
      await ingester.router.sendTo(name, b.finish())
    }
    await vi.waitFor(() => expect(reducer.items).toHaveLength(total), { timeout: 15_000 })
    for (const item of reducer.items) {
      expect(item.outcome).toBe('result')
      if (item.outcome !== 'result') continue
      const p = decodePayload(item.payload) as { n: number; fresh: boolean; keptIntact: boolean }
      expect(p).toMatchObject({ n: item.eventNumber, fresh: true, keptIntact: true })
    }
    // No slabs at all: each frame has memory of its own, so a kept frame holds only itself.
    expect(worker.frameSlabStats()).toMatchObject({
      slabsAllocated: 0,
      slabsReused: 0,
      partsRecycled: 0,
    })
  })
})
