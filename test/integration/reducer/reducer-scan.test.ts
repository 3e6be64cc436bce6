import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Reducer } from '../../../reducer/index.js'
import { createLogStream } from '../../../src/control/log-stream.js'
import { createParameterStore } from '../../../src/control/parameter-store.js'
import { createProcessRegistry } from '../../../src/control/process-registry.js'
import { ParameterName, ScanId } from '../../../src/internal.js'
import {
  expectNoErrors,
  FakeController,
  FakeWorker,
  fixture,
  items,
  memoryPlane,
  Scope,
  startReducer,
} from './harness.js'

const scope = new Scope()
afterEach(() => scope.cleanup())

interface SumPublish {
  sum: number
  seen: string[]
  scale: number
  timerCalls: number
  finished: boolean
  instance: number
}

const published = (r: Reducer): SumPublish => r.publish as SumPublish

async function setup() {
  const plane = await memoryPlane(scope)
  const { reducer, log } = await startReducer(scope, plane)
  const controller = new FakeController(plane)
  const w1 = await FakeWorker.connect(scope, 'w1', reducer.endpoint)
  const w2 = await FakeWorker.connect(scope, 'w2', reducer.endpoint)
  return { plane, reducer, log, controller, w1, w2 }
}

describe('reducer: a scan', () => {
  it('registers with its results endpoint, URL and parameter descriptions', async () => {
    const { plane, reducer, log } = await setup()
    const info = await createProcessRegistry(plane).get('reducer', 'reducer')
    expect(info?.endpoints).toEqual({ results: reducer.endpoint })
    expect(info?.url).toBe(reducer.url)
    expect(info?.parameters).toEqual([
      { name: 'scale', dtype: 'int', default: 1 },
      { name: 'mask', dtype: 'binary', default: 'AQID' },
    ])
    expect(reducer.ready).toBe(true)
    expectNoErrors(log)
  })

  it('reduces each (event, slot) once and reports every item, batched per worker', async () => {
    const { reducer, log, controller, w1, w2 } = await setup()
    const scan = await controller.start()
    await vi.waitFor(() => expect(reducer.status().scan?.scanId).toBe(scan))

    await w1.send(scan, items(0, 10, 1))
    // A re-send of the same events with the same slot (a dead worker's events, redone): dropped.
    await w2.send(scan, items(0, 5, 1))
    // The same events through another slot (a broadcast): reduced.
    await w2.send(scan, items(0, 3, 2))
    await w2.send(scan, [
      { event: 10, slot: 2, outcome: 'done' },
      { event: 11, slot: 2, outcome: 'failed' },
      { event: 11, slot: 2, outcome: 'failed' },
    ])
    await vi.waitFor(() =>
      expect(reducer.status().scan).toMatchObject({
        reduced: 13,
        duplicates: 6,
        done: 1,
        workerFailed: 1,
        failed: 0,
      }),
    )
    expect(published(reducer).sum).toBe(13)
    expect(published(reducer).seen.filter((s) => s === '0@w2')).toHaveLength(1)

    // Duplicates are reported too: the replacement's completion is the one that counts.
    await vi.waitFor(async () => {
      const { events, failed } = await controller.completed(scan)
      expect(events.w1).toEqual(items(0, 10, 1).map((i) => i.event))
      expect([...new Set(events.w2)]).toEqual([0, 1, 2, 3, 4, 10, 11])
      expect(failed).toBe(1)
    })
    const reports = await controller.completions(scan)
    expect(reports.length).toBeLessThanOrEqual(4)
    expect(reducer.status().scan?.pendingCompletions).toBe(0)
    expectNoErrors(log)
  })

  it('runs timer repeatedly, and finish on `finished`, then keeps serving publish', async () => {
    const { reducer, log, controller, w1 } = await setup()
    const scan = await controller.start()
    await vi.waitFor(() => expect(published(reducer).timerCalls).toBeGreaterThanOrEqual(3))
    await w1.send(scan, items(0, 4, 0))
    await vi.waitFor(() => expect(reducer.status().scan?.reduced).toBe(4))
    const done = reducer.scanDone(scan)
    await controller.finish(scan)
    await done
    expect(published(reducer)).toMatchObject({ finished: true, sum: 4 })
    expect(reducer.status().scan).toMatchObject({ status: 'finished', reason: null })
    expect(reducer.status().scan?.endedAt).toEqual(expect.any(String))
    // Already finished: resolves at once.
    await reducer.scanDone(scan)
    // Results after the end are late: dropped, not reduced.
    await w1.send(scan, items(4, 6, 0))
    await vi.waitFor(() => expect(reducer.status().scan?.late).toBe(2))
    expect(published(reducer).sum).toBe(4)
    expectNoErrors(log)
  })

  it('runs finish on `stopped` too, and records why', async () => {
    const { reducer, log, controller } = await setup()
    const scan = await controller.start()
    await vi.waitFor(() => expect(reducer.status().scan?.scanId).toBe(scan))
    await controller.stop(scan, 'operator')
    await reducer.scanDone(scan)
    expect(published(reducer).finished).toBe(true)
    expect(reducer.status().scan).toMatchObject({ status: 'stopped', reason: 'operator' })
    expectNoErrors(log)
  })

  it('logs and counts a throwing processResult, reports it failed, and goes on', async () => {
    const { plane, reducer, log, controller, w1 } = await setup()
    log.errorsExpected = true
    const scan = await controller.start()
    await vi.waitFor(() => expect(reducer.status().scan?.scanId).toBe(scan))
    await w1.send(scan, [
      { event: 0, slot: 0, value: 1 },
      { event: 1, slot: 0, boom: true },
      { event: 2, slot: 0, value: 1 },
    ])
    await vi.waitFor(() => expect(reducer.status().scan).toMatchObject({ reduced: 3, failed: 1 }))
    expect(published(reducer).sum).toBe(2)
    const errors = log.errors()
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ call: 'processResult', event: 1, scan })
    expect(String(errors[0]?.module)).toMatch(/test-reducers\.ts:SumReducer$/)
    await vi.waitFor(async () => {
      const { events, failed } = await controller.completed(scan)
      expect(events.w1).toEqual([0, 1, 2])
      expect(failed).toBe(1)
    })
    const shared = await vi.waitFor(async () => {
      const recent = await createLogStream(plane).recent(10)
      expect(recent).toHaveLength(1)
      return recent[0]!.entry
    })
    expect(shared).toMatchObject({ level: 'error', role: 'reducer', context: { event: 1 } })
    expect(
      reducer.metrics.registry.getSingleMetric('beamloom_reducer_failures_total'),
    ).toBeDefined()
    const text = await reducer.metrics.registry.metrics()
    expect(text).toMatch(/beamloom_reducer_failures_total\{call="processResult"\} 1/)
  })

  it('creates a fresh instance per scan; the context survives', async () => {
    const { reducer, log, controller, w1 } = await setup()
    const first = await controller.start()
    await vi.waitFor(() => expect(reducer.status().scan?.scanId).toBe(first))
    await w1.send(first, items(0, 3, 0))
    await vi.waitFor(() => expect(published(reducer).sum).toBe(3))
    await controller.finish(first)
    await reducer.scanDone(first)

    const second = await controller.start()
    await vi.waitFor(() => expect(reducer.status().scan?.scanId).toBe(second))
    expect(published(reducer)).toMatchObject({ sum: 0, instance: 2, finished: false })
    // Same events and slots as the first scan: a new scan, so not duplicates.
    await w1.send(second, items(0, 3, 0))
    await vi.waitFor(() => expect(published(reducer).sum).toBe(3))
    expect(reducer.status().scan?.duplicates).toBe(0)
    // Completions are reported in batches: wait for the one that covers these events.
    await vi.waitFor(async () =>
      expect((await controller.completed(second)).events.w1).toEqual([0, 1, 2]),
    )
    expectNoErrors(log)
  })

  it('ends a scan that was replaced without a `stopped` it saw', async () => {
    const { reducer, log, controller } = await setup()
    const first = await controller.start()
    await vi.waitFor(() => expect(reducer.status().scan?.scanId).toBe(first))
    const firstDone = reducer.scanDone(first)
    const second = await controller.start()
    await firstDone
    await vi.waitFor(() => expect(reducer.status().scan?.scanId).toBe(second))
    expectNoErrors(log)
  })

  it('holds results of a running scan it has not seen start yet, and drops unknown ones', async () => {
    const { reducer, log, controller, w1 } = await setup()
    const scan = await controller.start({ announce: false })
    await w1.send(scan, items(0, 2, 0))
    await vi.waitFor(() => expect(reducer.queueDepth).toBe(2))
    await controller.update({ type: 'started', scanId: scan })
    await vi.waitFor(() => expect(reducer.status().scan?.reduced).toBe(2))

    await w1.send(ScanId.parse('no-such-scan'), items(0, 3, 0))
    const late = async () => {
      const text = await reducer.metrics.registry.metrics()
      return /beamloom_reducer_late_total 3/.test(text)
    }
    await expect.poll(late).toBe(true)
    expect(reducer.status().scan?.reduced).toBe(2)
    expect(reducer.queueDepth).toBe(0)
    expectNoErrors(log)
  })

  it('passes current parameters and follows changes', async () => {
    const { plane, reducer, log, controller, w1 } = await setup()
    const scan = await controller.start()
    await vi.waitFor(() => expect(reducer.status().scan?.scanId).toBe(scan))
    await w1.send(scan, items(0, 1, 0))
    await vi.waitFor(() => expect(published(reducer)).toMatchObject({ sum: 1, scale: 1 }))
    await createParameterStore(plane).set(ParameterName.parse('scale'), '10')
    await vi.waitFor(() => expect(reducer.status().parametersVersion).toBe(1))
    await w1.send(scan, items(1, 2, 0))
    await vi.waitFor(() => expect(published(reducer)).toMatchObject({ sum: 11, scale: 10 }))
    expectNoErrors(log)
  })

  it('compacts its exactly-once filter below the completed frontier', async () => {
    const plane = await memoryPlane(scope)
    const { reducer, log } = await startReducer(scope, plane, { minDedupCompactSize: 8 })
    const controller = new FakeController(plane)
    const w1 = await FakeWorker.connect(scope, 'w1', reducer.endpoint)
    const scan = await controller.start()
    await vi.waitFor(() => expect(reducer.status().scan?.scanId).toBe(scan))
    await controller.assign(scan, 0, 6)
    await w1.send(scan, items(0, 10, 0))
    await vi.waitFor(() => expect(reducer.status().scan?.dedup).toEqual({ size: 4, floor: 6 }))
    // Below the frontier every identity counts as reduced, whatever its slot.
    await w1.send(scan, [{ event: 2, slot: 9 }])
    await vi.waitFor(() => expect(reducer.status().scan?.duplicates).toBe(1))
    expect(reducer.status().scan?.reduced).toBe(10)
    expectNoErrors(log)
  })

  it('joins the running scan when it starts after the scan did', async () => {
    const plane = await memoryPlane(scope)
    const controller = new FakeController(plane)
    const old = await controller.start()
    await controller.finish(old)
    const scan = await controller.start()
    const { reducer, log } = await startReducer(scope, plane)
    await vi.waitFor(() => expect(reducer.status().scan?.scanId).toBe(scan))
    const w1 = await FakeWorker.connect(scope, 'w1', reducer.endpoint)
    await w1.send(scan, items(0, 2, 0))
    await vi.waitFor(() => expect(reducer.status().scan?.reduced).toBe(2))
    expectNoErrors(log)
  })

  it('counts results as failed when the constructor throws, and still reports them', async () => {
    const plane = await memoryPlane(scope)
    const { reducer, log } = await startReducer(scope, plane, {
      reducerModule: fixture('BrokenReducer'),
    })
    log.errorsExpected = true
    const controller = new FakeController(plane)
    const w1 = await FakeWorker.connect(scope, 'w1', reducer.endpoint)
    const scan = await controller.start()
    await vi.waitFor(() => expect(reducer.status().scan?.scanId).toBe(scan))
    await w1.send(scan, items(0, 2, 0))
    await vi.waitFor(async () => {
      expect((await controller.completed(scan)).events.w1).toEqual([0, 1])
    })
    expect(reducer.status().scan).toMatchObject({ reduced: 2, failed: 2 })
    expect(log.errors().map((e) => e.call)).toEqual([
      'constructor',
      'processResult',
      'processResult',
    ])
    expect(reducer.publish).toEqual({})
  })
})
