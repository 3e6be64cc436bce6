import { afterEach, describe, expect, it, vi } from 'vitest'
import { createReducer } from '../../../reducer/index.js'
import { isBeamloomError } from '../../../src/internal.js'
import {
  captureLogger,
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

async function created(reducerModule = fixture('SumReducer')) {
  const plane = await memoryPlane(scope)
  const log = captureLogger(scope)
  const reducer = createReducer(
    { reducerModule, httpPort: 0, heartbeatMs: 200 },
    { plane, logger: log.logger },
  )
  scope.add(reducer)
  return { plane, reducer, log }
}

describe('reducer lifecycle', () => {
  it('start → close: leaves the registry, closed resolves undefined', async () => {
    const { plane, reducer } = await created()
    await reducer.start()
    expect(reducer.state).toBe('running')
    await reducer.close()
    expect(reducer.state).toBe('closed')
    expect(await reducer.closed).toBeUndefined()
    expect(await plane.get(plane.keys.process('reducer', 'reducer'))).toBeUndefined()
  })

  it('close twice is fine', async () => {
    const { reducer } = await created()
    await reducer.start()
    await Promise.all([reducer.close(), reducer.close()])
    await reducer.close()
    expect(await reducer.closed).toBeUndefined()
  })

  it('close during start: start rejects STATE_INVALID, nothing is left open', async () => {
    const { plane, reducer } = await created()
    const starting = reducer.start()
    const closing = reducer.close()
    await expect(starting).rejects.toSatisfy((err) => isBeamloomError(err, 'STATE_INVALID'))
    await closing
    expect(await reducer.closed).toBeUndefined()
    expect(await plane.scan(plane.keys.processesPattern())).toEqual([])
  })

  it('close while processResult hangs: the loop is abandoned, close returns', async () => {
    const plane = await memoryPlane(scope)
    const { reducer } = await startReducer(scope, plane, {
      reducerModule: fixture('HangingReducer'),
    })
    const controller = new FakeController(plane)
    const scan = await controller.start()
    await vi.waitFor(() => expect(reducer.status().scan?.scanId).toBe(scan))
    const w1 = await FakeWorker.connect(scope, 'w1', reducer.endpoint)
    await w1.send(scan, items(0, 2, 0))
    await vi.waitFor(() => expect(reducer.publish).toEqual({ calls: 1 }))
    const done = reducer.scanDone(scan)
    await reducer.close()
    expect(await reducer.closed).toBeUndefined()
    await expect(done).rejects.toSatisfy((err) => isBeamloomError(err, 'STATE_INVALID'))
    // The hanging event was never reported complete: it will be redone.
    expect(await controller.completions(scan)).toEqual([])
  })

  it('close while following scans (a blocked read) returns promptly', async () => {
    const { reducer } = await created()
    await reducer.start()
    await reducer.close()
    expect(reducer.state).toBe('closed')
  })

  it('a module that does not load is fatal at start-up', async () => {
    const missing = await created('/nonexistent/reducer.ts:Nope')
    await expect(missing.reducer.start()).rejects.toSatisfy((err) =>
      isBeamloomError(err, 'MODULE_NOT_FOUND'),
    )
    expect((await missing.reducer.closed)?.message).toMatch(/no such file/)
    const invalid = await created(fixture('NoSuchExport'))
    await expect(invalid.reducer.start()).rejects.toSatisfy((err) =>
      isBeamloomError(err, 'MODULE_INVALID'),
    )
  })

  it('a taken HTTP port is fatal at start-up and releases what was opened', async () => {
    const plane = await memoryPlane(scope)
    const { reducer: first } = await startReducer(scope, plane, { name: 'first' })
    const port = Number(new URL(first.url).port)
    const clash = createReducer(
      { reducerModule: fixture('SumReducer'), httpPort: port, name: 'second' },
      { plane, logger: captureLogger(scope).logger },
    )
    scope.add(clash)
    await expect(clash.start()).rejects.toSatisfy((err) => isBeamloomError(err, 'CONFIG_INVALID'))
    expect(clash.state).toBe('closed')
    // Its registration and results socket were released: the name is free again.
    expect(await plane.get(plane.keys.process('reducer', 'second'))).toBeUndefined()
  })

  it('the same name twice is refused at start-up', async () => {
    const plane = await memoryPlane(scope)
    await startReducer(scope, plane)
    const twin = createReducer(
      { reducerModule: fixture('SumReducer'), httpPort: 0 },
      { plane, logger: captureLogger(scope).logger },
    )
    scope.add(twin)
    await expect(twin.start()).rejects.toSatisfy((err) => isBeamloomError(err, 'STATE_INVALID'))
  })

  it('invalid options are refused at creation', () => {
    expect(() =>
      createReducer({ reducerModule: '', httpPort: -1 }, { plane: undefined as never }),
    ).toThrow(/reducerModule.*httpPort|httpPort.*reducerModule/s)
  })
})
