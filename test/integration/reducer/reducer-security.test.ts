import { afterEach, describe, expect, it, vi } from 'vitest'
import { generateCurveKeys } from '../../../src/transport/curve-keys.js'
import { SseReader } from '../../harness/sse-reader.js'
import {
  expectNoErrors,
  FakeController,
  FakeWorker,
  items,
  memoryPlane,
  Scope,
  startReducer,
} from './harness.js'

const scope = new Scope()
afterEach(() => scope.cleanup())

const WAIT = { timeout: 60_000, interval: 100 }

describe('reducer security', () => {
  it('serves at most maxUpdateClients update streams (503 beyond, a slot freed on close), 64 by default', async () => {
    const plane = await memoryPlane(scope)
    const { reducer: byDefault } = await startReducer(scope, plane, { name: 'r-default' })
    expect(byDefault.maxUpdateClients).toBe(64)
    const { reducer, log } = await startReducer(scope, plane, { maxUpdateClients: 2 })
    const open = (): SseReader => {
      const sse = new SseReader(`${reducer.url}/api/v1/updates`)
      scope.add({ close: async () => sse.close() })
      return sse
    }
    const a = open()
    const b = open()
    expect((await a.response).status).toBe(200)
    expect((await b.response).status).toBe(200)
    const c = open()
    const refused = await c.response
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('5')
    a.close()
    await vi.waitFor(async () => {
      const d = open()
      const res = await d.response
      d.close()
      expect(res.status).toBe(200)
    }, WAIT)
    expectNoErrors(log)
  })

  it('guards its status with the token; published results stay readable', async () => {
    const plane = await memoryPlane(scope)
    const { reducer } = await startReducer(scope, plane, { token: 'reducer-token' })
    expect((await fetch(`${reducer.url}/api/v1/status`)).status).toBe(401)
    const ok = await fetch(`${reducer.url}/api/v1/status`, {
      headers: { authorization: 'Bearer reducer-token' },
    })
    expect(ok.status).toBe(200)
    expect((await fetch(`${reducer.url}/api/v1/result`)).status).toBe(200)
    const h5 = await fetch(`${reducer.url}/api/v1/h5`, { method: 'POST' })
    expect(h5.status).toBe(401)
  })

  it('with a CURVE key reduces what keyed workers send and nothing a forger sends', async () => {
    const keys = generateCurveKeys()
    const plane = await memoryPlane(scope)
    const { reducer, log } = await startReducer(scope, plane, { curve: keys })
    const controller = new FakeController(plane)
    const scan = await controller.start()
    await vi.waitFor(() => expect(reducer.status().scan?.scanId).toBe(scan), WAIT)
    // The forger knows the endpoint and the scan id (as /config and /status once told) but
    // not the key: first with no key, then with a key pair of its own.
    const forger = await FakeWorker.connect(scope, 'forger', reducer.endpoint)
    const other = await FakeWorker.connect(scope, 'other', reducer.endpoint, generateCurveKeys())
    void forger
      .send(
        scan,
        items(0, 50, 0).map((i) => ({ ...i, value: 1000 })),
      )
      .catch(() => {})
    void other
      .send(
        scan,
        items(0, 50, 0).map((i) => ({ ...i, value: 1000 })),
      )
      .catch(() => {})
    const genuine = await FakeWorker.connect(scope, 'w1', reducer.endpoint, keys)
    await genuine.send(
      scan,
      items(0, 50, 0).map((i) => ({ ...i, value: 2 })),
    )
    await vi.waitFor(() => expect(reducer.status().scan?.reduced).toBe(50), WAIT)
    expect(reducer.publish).toMatchObject({ sum: 100 })
    await controller.finish(scan)
    await vi.waitFor(() => expect(reducer.publish).toMatchObject({ finished: true }), WAIT)
    expect(reducer.publish).toMatchObject({ sum: 100 })
    expect(reducer.status().scan?.reduced).toBe(50)
    expectNoErrors(log)
  })
})
