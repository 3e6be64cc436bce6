import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ControlPlane } from '../../../src/control/control-plane.js'
import { createLogStream } from '../../../src/control/log-stream.js'
import { createParameterStore } from '../../../src/control/parameter-store.js'
import {
  decodePayload,
  EventBatchBuilder,
  encodeMissingFrame,
  eventNumber,
  MISSING_FRAME_TYP,
  ParameterName,
  slot,
  streamName,
  WorkerName,
} from '../../../src/internal.js'
import { createWorker, type WorkerService } from '../../../workers/worker-service.js'
import {
  captureLogger,
  events,
  FakeController,
  fakeIngester,
  fakeReducer,
  fixture,
  openPlane,
  Resources,
  recordOf,
  route,
} from './harness.js'

const res = new Resources()
let logger = captureLogger()

afterEach(async () => {
  await res.closeAll()
  // A test that logs an error fails unless it expects it.
  expect(logger.lines.filter((l) => l.level === 'error')).toEqual([])
  logger = captureLogger()
})

let counter = 0
function uniqueName(): string {
  return `w${process.pid}-${Date.now().toString(36)}-${counter++}`
}

async function startWorker(
  plane: ControlPlane,
  module = 'EchoWorker',
  extra: {
    windowEvents?: number
    maxWindowEvents?: number
    name?: string
    closeFlushMs?: number
  } = {},
): Promise<WorkerService> {
  const worker = createWorker(
    {
      name: extra.name ?? uniqueName(),
      workerModule: fixture(module),
      heartbeatMs: 200,
      // The fixtures record what they see in this process's globals: run them in this thread.
      isolation: 'inline',
      ...extra,
    },
    { plane, logger },
  )
  res.add(worker, (w) => w.close({ force: true }))
  await worker.start()
  return worker
}

async function scanRun(kind: 'memory' | 'redis'): Promise<void> {
  const plane = await openPlane(kind, res)
  const ingester = await fakeIngester(plane, res, 'ing-a', ['a'])
  const reducer = await fakeReducer(plane, res)
  // A fixed window of 8 (no growth), so the credit requests below are exactly predictable.
  const worker = await startWorker(plane, 'EchoWorker', { windowEvents: 8, maxWindowEvents: 8 })
  const name = worker.workerName
  await vi.waitFor(() => expect(ingester.router.workers.has(name)).toBe(true))
  await vi.waitFor(() => expect(worker.reducerEndpoint).toBe(reducer.puller.endpoint))

  const ctl = new FakeController(plane)
  await ctl.start(['a'])
  await expect.poll(() => ctl.credits()).toEqual([{ worker: name, credits: 8 }])
  const total = 100
  // Events 0..99 for this worker (slot 3), except 40..49 that belong to someone else.
  await ctl.assign({
    released: [0, total],
    routes: { a: [route(0, 40, [name]), route(40, 50, ['other']), route(50, total, [name])] },
    workerSlots: { [name]: 3, other: 4 },
  })
  for (let from = 0; from < total; from += 10) {
    if (from === 40) continue
    await ingester.router.sendTo(name, events(ctl.scanId, from, from + 10, ['a']))
  }
  await vi.waitFor(() => expect(reducer.items).toHaveLength(90))
  const numbers = reducer.items.map((i) => i.eventNumber)
  expect(numbers).toEqual([...Array(total).keys()].filter((e) => e < 40 || e >= 50))
  expect(new Set(reducer.items.map((i) => i.slot))).toEqual(new Set([3]))
  // The hash is of the values as set (none here), the same in every process.
  // sha256 of nothing: no parameters.
  expect(new Set(reducer.items.map((i) => i.parametersHash))).toEqual(
    new Set(['e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']),
  )
  expect(new Set(reducer.items.map((i) => i.worker))).toEqual(new Set([name]))
  for (const item of reducer.items) {
    if (item.eventNumber % 2 === 1) expect(item.outcome).toBe('done')
    else {
      expect(item.outcome).toBe('result')
      if (item.outcome === 'result') {
        expect(decodePayload(item.payload)).toEqual({
          event: item.eventNumber,
          first: item.eventNumber,
          factor: 1,
        })
      }
    }
  }
  expect(recordOf(name).events).toEqual(numbers)
  // Credits in batches: the window (8), then at least half a window (4) at a time, as the
  // reducer acknowledges batches as reduced — far fewer requests than events. Every one of the
  // 90 events comes back but what is still below the threshold.
  await vi.waitFor(async () => {
    const back = (await ctl.credits()).slice(1).reduce((s, c) => s + c.credits, 0)
    expect(back).toBeGreaterThan(90 - 4)
  })
  const credits = await ctl.credits()
  expect(credits.length).toBeLessThan(total / 3)
  expect(credits[0]?.credits).toBe(8)
  expect(credits.slice(1).every((c) => c.credits >= 4)).toBe(true)
  expect(credits.slice(1).reduce((s, c) => s + c.credits, 0)).toBeLessThanOrEqual(90)
  expect(reducer.batches).toBeLessThan(90)
}

describe('worker in a scan', () => {
  it('processes exactly its events once, in order, with slot and parameter hash (memory plane)', async () => {
    await scanRun('memory')
  })

  it('does the same against real Redis', async () => {
    await scanRun('redis')
  })

  it('survives a throwing analysis: failed items, a log entry per failure, and it goes on', async () => {
    const plane = await openPlane('memory', res)
    const ingester = await fakeIngester(plane, res, 'ing-a', ['a'])
    const reducer = await fakeReducer(plane, res)
    const worker = await startWorker(plane, 'FlakyWorker')
    const name = worker.workerName
    await vi.waitFor(() => expect(ingester.router.workers.has(name)).toBe(true))
    const ctl = new FakeController(plane)
    await ctl.start(['a'])
    await ctl.assign({
      released: [0, 7],
      routes: { a: [route(0, 7, [name])] },
      workerSlots: { [name]: 0 },
    })
    await ingester.router.sendTo(name, events(ctl.scanId, 0, 7, ['a']))
    await vi.waitFor(() => expect(reducer.items).toHaveLength(7))
    expect(reducer.items.map((i) => [i.eventNumber, i.outcome])).toEqual([
      [0, 'failed'],
      [1, 'result'],
      [2, 'result'],
      [3, 'failed'],
      [4, 'result'],
      [5, 'result'],
      [6, 'failed'],
    ])
    const logs = createLogStream(plane)
    await vi.waitFor(async () => expect(await logs.recent(10)).toHaveLength(3))
    const [first] = await logs.recent(10)
    expect(first?.entry).toMatchObject({ level: 'error', role: 'worker', name })
    expect(first?.entry.context).toMatchObject({ event: 0, worker: name, scanId: ctl.scanId })
    expect(String(first?.entry.context?.module)).toContain('FlakyWorker')
    expect(first?.entry.message).toContain('cannot parse frame of 0')
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(3)
  })

  it('fails an event whose frame never came (a missing-frame marker) without calling processEvent', async () => {
    const plane = await openPlane('memory', res)
    const ingester = await fakeIngester(plane, res, 'ing-a', ['a'])
    const reducer = await fakeReducer(plane, res)
    const worker = await startWorker(plane)
    const name = worker.workerName
    await vi.waitFor(() => expect(ingester.router.workers.has(name)).toBe(true))
    const ctl = new FakeController(plane)
    await ctl.start(['a'])
    await ctl.assign({
      released: [0, 4],
      routes: { a: [route(0, 4, [name])] },
      workerSlots: { [name]: 0 },
    })
    const batch = new EventBatchBuilder(ctl.scanId)
    for (let e = 0; e < 4; e++) {
      if (e === 2) {
        batch.add(eventNumber(e), slot(0), streamName('a'), MISSING_FRAME_TYP, [
          ...encodeMissingFrame('frame 1 never came from the device (the next was frame 2)'),
        ])
      } else {
        batch.add(eventNumber(e), slot(0), streamName('a'), 'STINS', [new Uint8Array([e, 1, 2])])
      }
    }
    await ingester.router.sendTo(name, batch.finish())
    await vi.waitFor(() => expect(reducer.items).toHaveLength(4))
    expect(reducer.items.map((i) => [i.eventNumber, i.outcome])).toEqual([
      [0, 'result'],
      [1, 'done'],
      [2, 'failed'],
      [3, 'done'],
    ])
    // The analysis never saw event 2.
    expect(recordOf(name).events).toEqual([0, 1, 3])
    const logs = createLogStream(plane)
    await vi.waitFor(async () => expect(await logs.recent(10)).toHaveLength(1))
    const [entry] = await logs.recent(10)
    expect(entry?.entry.context).toMatchObject({
      event: 2,
      stream: 'a',
      code: 'FRAME_MISSING',
      streamFailures: 1,
    })
    expect(entry?.entry.message).toContain(
      "stream 'a': frame 1 never came from the device (the next was frame 2)",
    )
    expect(worker.session?.stats.failedByStream).toEqual({ a: 1 })
  })

  it('picks up a parameter change: later results carry the new value and hash', async () => {
    const plane = await openPlane('memory', res)
    const ingester = await fakeIngester(plane, res, 'ing-a', ['a'])
    const reducer = await fakeReducer(plane, res)
    const worker = await startWorker(plane)
    const name = worker.workerName
    await vi.waitFor(() => expect(ingester.router.workers.has(name)).toBe(true))
    const ctl = new FakeController(plane)
    await ctl.start(['a'])
    await ctl.assign({
      released: [0, 4],
      routes: { a: [route(0, 4, [name])] },
      workerSlots: { [name]: 0 },
    })
    await ingester.router.sendTo(name, events(ctl.scanId, 0, 2, ['a']))
    await vi.waitFor(() => expect(reducer.items).toHaveLength(2))
    const before = worker.parameters.hash
    await createParameterStore(plane).set(ParameterName.parse('factor'), '5')
    await vi.waitFor(() => expect(worker.parameters.version).toBe(1))
    expect(worker.parameters.parameters.factor?.value).toBe(5)
    await ingester.router.sendTo(name, events(ctl.scanId, 2, 4, ['a']))
    await vi.waitFor(() => expect(reducer.items).toHaveLength(4))
    const [, , two, three] = reducer.items
    expect(two?.parametersHash).toBe(worker.parameters.hash)
    expect(three?.parametersHash).not.toBe(before)
    if (two?.outcome === 'result') expect(decodePayload(two.payload)).toMatchObject({ factor: 5 })
    else expect.unreachable('event 2 has a result')
  })

  it('reports a re-sent event again as done with the same slot, without processing it twice', async () => {
    const plane = await openPlane('memory', res)
    const ingester = await fakeIngester(plane, res, 'ing-a', ['a'])
    const reducer = await fakeReducer(plane, res)
    const worker = await startWorker(plane)
    const name = worker.workerName
    await vi.waitFor(() => expect(ingester.router.workers.has(name)).toBe(true))
    const ctl = new FakeController(plane)
    await ctl.start(['a'])
    await ctl.assign({
      released: [0, 3],
      routes: { a: [route(0, 3, [name])] },
      workerSlots: { [name]: 6 },
    })
    await ingester.router.sendTo(name, events(ctl.scanId, 0, 3, ['a']))
    await vi.waitFor(() => expect(reducer.items).toHaveLength(3))
    await ingester.router.sendTo(name, events(ctl.scanId, 2, 3, ['a'], 9))
    await vi.waitFor(() => expect(reducer.items).toHaveLength(4))
    expect(reducer.items[3]).toMatchObject({ eventNumber: 2, slot: 6, outcome: 'done' })
    expect(recordOf(name).events).toEqual([0, 1, 2])
    expect(worker.session?.stats.duplicates).toBe(1)
  })

  it('assembles events from two ingesters and waits for frames that come before their entry', async () => {
    const plane = await openPlane('memory', res)
    const ia = await fakeIngester(plane, res, 'ing-a', ['a'])
    const ib = await fakeIngester(plane, res, 'ing-b', ['b'])
    const reducer = await fakeReducer(plane, res)
    const worker = await startWorker(plane)
    const name = worker.workerName
    await vi.waitFor(() =>
      expect(ia.router.workers.has(name) && ib.router.workers.has(name)).toBe(true),
    )
    const ctl = new FakeController(plane)
    await ctl.start(['a', 'b'])
    await expect.poll(() => ctl.credits()).toHaveLength(1)
    // Frames first (the ingesters were quicker than the worker's read of the entry).
    await ia.router.sendTo(name, events(ctl.scanId, 0, 4, ['a']))
    await expect.poll(() => worker.session?.stats.processed).toBe(0)
    await ctl.assign({
      released: [0, 4],
      routes: { a: [route(0, 4, [name])], b: [route(0, 2, [name]), route(2, 4, null)] },
      workerSlots: { [name]: 1 },
    })
    await vi.waitFor(() => expect(reducer.items).toHaveLength(2)) // 2 and 3 need only `a`
    expect(reducer.items.map((i) => i.eventNumber)).toEqual([2, 3])
    await ib.router.sendTo(name, events(ctl.scanId, 0, 2, ['b']))
    await vi.waitFor(() => expect(reducer.items).toHaveLength(4))
    expect(reducer.items.map((i) => i.eventNumber)).toEqual([2, 3, 0, 1])
  })

  it('joins a scan that started before it; finish on `finished`; a new instance per scan, context kept', async () => {
    const plane = await openPlane('memory', res)
    const ingester = await fakeIngester(plane, res, 'ing-a', ['a'])
    const reducer = await fakeReducer(plane, res)
    const ctl = new FakeController(plane)
    await ctl.start(['a'])
    await ctl.assign({
      released: [0, 5],
      routes: { a: [route(0, 5, ['early'])] },
      workerSlots: { early: 0 },
    })
    const name = WorkerName.parse(uniqueName())
    const worker = await startWorker(plane, 'EchoWorker', { name })
    await expect.poll(() => ctl.credits()).toEqual([{ worker: name, credits: 64 }])
    await vi.waitFor(() => expect(ingester.router.workers.has(name)).toBe(true))
    await ctl.assign({
      released: [5, 8],
      routes: { a: [route(5, 8, [name])] },
      workerSlots: { [name]: 1 },
    })
    await ingester.router.sendTo(name, events(ctl.scanId, 5, 8, ['a']))
    await vi.waitFor(() => expect(reducer.items).toHaveLength(3))
    expect(reducer.items.map((i) => [i.eventNumber, i.slot])).toEqual([
      [5, 1],
      [6, 1],
      [7, 1],
    ])
    await ctl.finish()
    await vi.waitFor(() => expect(recordOf(name).finished).toBe(1))
    expect(worker.session).toBeUndefined()

    const next = new FakeController(plane)
    await next.start(['a'])
    await vi.waitFor(() => expect(worker.session?.scanId).toBe(next.scanId))
    expect(recordOf(name).instances).toBe(2)
    expect(recordOf(name).contextScans).toEqual([1, 2])
    await next.stop()
    await vi.waitFor(() => expect(worker.session).toBeUndefined())
    expect(recordOf(name).finished).toBe(1)
    // Frames of a scan that is over are dropped.
    await ingester.router.sendTo(name, events(next.scanId, 0, 1, ['a']))
    await vi.waitFor(() => expect(worker.droppedBatches).toBe(1))
  })
  it('ends a scan within closeFlushMs when no reducer takes its last results, says so, and goes on', async () => {
    const plane = await openPlane('memory', res)
    const ingester = await fakeIngester(plane, res, 'ing-a', ['a'])
    // No reducer at all: the results of the scan's last event have nowhere to go.
    const name = WorkerName.parse(uniqueName())
    const worker = await startWorker(plane, 'EchoWorker', { name, closeFlushMs: 300 })
    let release: () => void = () => {}
    recordOf(name).gate = new Promise<void>((r) => {
      release = r
    })
    await vi.waitFor(() => expect(ingester.router.workers.has(name)).toBe(true))
    const ctl = new FakeController(plane)
    await ctl.start(['a'])
    await ctl.assign({
      released: [0, 2],
      routes: { a: [route(0, 2, [name])] },
      workerSlots: { [name]: 0 },
    })
    await ingester.router.sendTo(name, events(ctl.scanId, 0, 2, ['a']))
    await vi.waitFor(() => expect(recordOf(name).events).toEqual([0]))
    // The scan ends while event 0 is in hand; its result is made after the loops stopped.
    await ctl.finish()
    release()
    // Logged once the session has closed.
    const ended = () => logger.lines.filter((l) => l.msg === 'scan ended')
    await vi.waitFor(() => expect(ended()).toHaveLength(1), { timeout: 15_000 })
    const warned = logger.lines.filter((l) => l.level === 'warn').map((l) => l.msg)
    expect(warned).toContainEqual(
      expect.stringMatching(/^results not handed to the reducer within 300 ms of closing the scan/),
    )
    // The worker goes on: it joins the next scan.
    const next = new FakeController(plane)
    await next.start(['a'])
    await vi.waitFor(() => expect(worker.session?.scanId).toBe(next.scanId))
    await next.stop()
  })
})
