import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ControlPlane } from '../../../src/control/control-plane.js'
import { createProcessRegistry } from '../../../src/control/process-registry.js'
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
  expect(logger.lines.filter((l) => l.level === 'error')).toEqual([])
  logger = captureLogger()
})

let counter = 0
const uniqueName = () => `lc${process.pid}-${Date.now().toString(36)}-${counter++}`

function newWorker(plane: ControlPlane, module = 'EchoWorker', name = uniqueName()): WorkerService {
  const worker = createWorker(
    // The fixtures record what they see in this process's globals: run them in this thread.
    { name, workerModule: fixture(module), heartbeatMs: 200, isolation: 'inline' },
    { plane, logger },
  )
  return res.add(worker, (w) => w.close({ force: true }))
}

describe('worker lifecycle', () => {
  it('start → close: registered with tags and parameter descriptions, then gone', async () => {
    const plane = await openPlane('memory', res)
    const worker = newWorker(plane)
    await worker.start()
    expect(worker.state).toBe('running')
    const registry = createProcessRegistry(plane)
    const info = await registry.get('worker', worker.workerName)
    expect(info).toMatchObject({ role: 'worker', tags: ['generic'] })
    expect(info?.parameters).toEqual([
      { name: 'factor', dtype: 'int', default: 1 },
      { name: 'mask', dtype: 'binary', default: Buffer.from('ab').toString('base64') },
    ])
    await worker.close()
    expect(worker.state).toBe('closed')
    expect(await worker.closed).toBeUndefined()
    expect(await registry.get('worker', worker.workerName)).toBeUndefined()
  })

  it('close twice (and concurrently) is fine; start after close is refused', async () => {
    const plane = await openPlane('memory', res)
    const worker = newWorker(plane)
    await worker.start()
    await Promise.all([worker.close(), worker.close()])
    await worker.close({ force: true })
    expect(await worker.closed).toBeUndefined()
    await expect(worker.start()).rejects.toMatchObject({ code: 'STATE_INVALID' })
  })

  it('close during start: start rejects STATE_INVALID, nothing stays registered', async () => {
    const plane = await openPlane('memory', res)
    const worker = newWorker(plane)
    const starting = worker.start()
    const closing = worker.close()
    await expect(starting).rejects.toMatchObject({ code: 'STATE_INVALID' })
    await closing
    expect(await plane.scan(plane.keys.processesPattern('worker'))).toEqual([])
  })

  it('a bad module is a fatal start-up error', async () => {
    const plane = await openPlane('memory', res)
    await expect(newWorker(plane, 'NotAWorker').start()).rejects.toMatchObject({
      code: 'MODULE_INVALID',
    })
    const missing = createWorker({ workerModule: '/nonexistent/x.ts:W' }, { plane, logger })
    await expect(missing.start()).rejects.toMatchObject({ code: 'MODULE_NOT_FOUND' })
    expect(await plane.scan(plane.keys.processesPattern('worker'))).toEqual([])
  })

  it('close while processEvent is blocked: leaves the registry at once, then finishes the event and closes', async () => {
    const plane = await openPlane('memory', res)
    const ingester = await fakeIngester(plane, res, 'ing-a', ['a'])
    const reducer = await fakeReducer(plane, res)
    const worker = newWorker(plane)
    await worker.start()
    const name = worker.workerName
    let release: () => void = () => {}
    recordOf(name).gate = new Promise<void>((r) => {
      release = r
    })
    await vi.waitFor(() => expect(ingester.router.workers.has(name)).toBe(true))
    await vi.waitFor(() => expect(worker.reducerEndpoint).toBeDefined())
    const ctl = new FakeController(plane)
    await ctl.start(['a'])
    await ctl.assign({
      released: [0, 2],
      routes: { a: [route(0, 2, [name])] },
      workerSlots: { [name]: 0 },
    })
    await ingester.router.sendTo(name, events(ctl.scanId, 0, 2, ['a']))
    await vi.waitFor(() => expect(recordOf(name).events).toEqual([0]))

    let closed = false
    const closing = worker.close().then(() => {
      closed = true
    })
    const key = plane.keys.process('worker', name)
    await expect.poll(() => plane.get(key)).toBeUndefined()
    expect(closed).toBe(false)
    expect(worker.state).toBe('closing')
    release()
    await closing
    // The event in hand completed and was sent; the analysis was closed once.
    await vi.waitFor(() => expect(reducer.items.map((i) => i.eventNumber)).toEqual([0]))
    expect(recordOf(name).events).toEqual([0])
    expect(recordOf(name).closed).toBe(1)
    await vi.waitFor(() => expect(ingester.router.workers.has(name)).toBe(false)) // said goodbye
  })

  it('a forced close does not wait for a blocked processEvent', async () => {
    const plane = await openPlane('memory', res)
    const ingester = await fakeIngester(plane, res, 'ing-a', ['a'])
    const worker = newWorker(plane)
    await worker.start()
    const name = worker.workerName
    recordOf(name).gate = new Promise<void>(() => {})
    await vi.waitFor(() => expect(ingester.router.workers.has(name)).toBe(true))
    const ctl = new FakeController(plane)
    await ctl.start(['a'])
    await ctl.assign({ released: [0, 1], routes: { a: [route(0, 1, [name])] } })
    await ingester.router.sendTo(name, events(ctl.scanId, 0, 1, ['a']))
    await vi.waitFor(() => expect(recordOf(name).events).toEqual([0]))
    await worker.close({ force: true })
    expect(worker.state).toBe('closed')
    expect(await plane.get(plane.keys.process('worker', name))).toBeUndefined()
  })

  it('follows ingesters: links to one that joins later, relinks when it restarts elsewhere', async () => {
    const plane = await openPlane('memory', res)
    const worker = newWorker(plane)
    await worker.start()
    const name = worker.workerName
    const first = await fakeIngester(plane, res, 'ing-a', ['a'])
    await vi.waitFor(() => expect(first.hellos).toContain(name))
    // The ingester restarts at a new address (new instance).
    await first.registration.close()
    await first.router.close({ force: true })
    const second = await fakeIngester(plane, res, 'ing-a', ['a'])
    await vi.waitFor(() => expect(second.hellos).toContain(name))
    expect(worker.ingesters).toEqual(['ing-a'])
    await second.registration.close()
    await vi.waitFor(() => expect(worker.ingesters).toEqual([]))
  })

  it('a restarted worker waits for its predecessor’s key to expire, then joins', async () => {
    const plane = await openPlane('memory', res)
    const name = uniqueName()
    // A predecessor that died without leaving: its key lives on until its TTL runs out.
    await plane.set(plane.keys.process('worker', name), '{}', { ttlMs: 300 })
    const worker = newWorker(plane, 'EchoWorker', name)
    await worker.start()
    expect(worker.registration?.info.name).toBe(name)
  })
})
