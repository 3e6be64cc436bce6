import { decode } from 'cbor-x'
import { afterEach, describe, expect, it, vi } from 'vitest'
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

async function running() {
  const plane = await memoryPlane(scope)
  const { reducer, log } = await startReducer(scope, plane)
  const controller = new FakeController(plane)
  const scan = await controller.start()
  await vi.waitFor(() => expect(reducer.status().scan?.scanId).toBe(scan))
  const w1 = await FakeWorker.connect(scope, 'w1', reducer.endpoint)
  await w1.send(scan, items(0, 3, 0))
  await vi.waitFor(() => expect(reducer.status().scan?.reduced).toBe(3))
  return { reducer, log, scan, controller }
}

describe('reducer HTTP API', () => {
  it('serves publish as JSON, whole and by path', async () => {
    const { reducer, log } = await running()
    const whole = await fetch(`${reducer.url}/api/v1/result/`)
    expect(whole.status).toBe(200)
    expect(whole.headers.get('content-type')).toMatch(/^application\/json/)
    const body = (await whole.json()) as Record<string, unknown>
    expect(body).toMatchObject({
      sum: 3,
      image: [0.5, 1.5, 2.5],
      nested: { deep: { list: [0, 1, 2] } },
      nested_attrs: { NX_class: 'NXdata' },
    })
    // Without the trailing slash too (the timer keeps counting, so compare a stable part).
    expect(await (await fetch(`${reducer.url}/api/v1/result`)).json()).toMatchObject({ sum: 3 })
    const sub = await fetch(`${reducer.url}/api/v1/result/nested/deep`)
    expect(await sub.json()).toEqual({ list: [0, 1, 2] })
    const leaf = await fetch(`${reducer.url}/api/v1/result/sum`)
    expect(await leaf.json()).toBe(3)
    const item = await fetch(`${reducer.url}/api/v1/result/image/1`)
    expect(await item.json()).toBe(1.5)
    expectNoErrors(log)
  })

  it('answers 404 with a message for a missing path', async () => {
    const { reducer } = await running()
    const res = await fetch(`${reducer.url}/api/v1/result/nested/nope/x`)
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ message: "no 'nested/nope' in publish" })
    const pickle = await fetch(`${reducer.url}/api/v1/result/pickle`)
    expect(pickle.status).toBe(404)
    expect(((await pickle.json()) as { message: string }).message).toMatch(/never pickle/)
  })

  it("answers errors with the controller's body and status table (one handler for both)", async () => {
    const { reducer } = await running()
    const res = await fetch(`${reducer.url}/api/v1/nothing-here`)
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      code: 'NOT_FOUND',
      message: 'no route GET /api/v1/nothing-here',
      detail: 'no route GET /api/v1/nothing-here',
    })
  })

  it('serves CBOR when asked, typed arrays kept', async () => {
    const { reducer } = await running()
    const res = await fetch(`${reducer.url}/api/v1/result/`, {
      headers: { accept: 'application/cbor' },
    })
    expect(res.headers.get('content-type')).toBe('application/cbor')
    const body = decode(new Uint8Array(await res.arrayBuffer())) as Record<string, unknown>
    expect(body.image).toEqual(new Float32Array([0.5, 1.5, 2.5]))
    expect(body.sum).toBe(3)
  })

  it('reports status, metrics and health', async () => {
    const { reducer, scan } = await running()
    const status = (await (await fetch(`${reducer.url}/api/v1/status`)).json()) as Record<
      string,
      unknown
    >
    expect(status).toMatchObject({
      name: 'reducer',
      state: 'running',
      ready: true,
      queueDepth: 0,
      scan: { scanId: scan, status: 'running', reduced: 3, duplicates: 0, failed: 0 },
    })
    const metrics = await fetch(`${reducer.url}/metrics`)
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/)
    const text = await metrics.text()
    expect(text).toMatch(/beamloom_reducer_items_total\{outcome="result"\} 3/)
    expect(text).toMatch(/beamloom_reducer_process_result_seconds_count 3/)
    expect(text).toMatch(/beamloom_reducer_queue_depth 0/)
    expect((await fetch(`${reducer.url}/health/live`)).status).toBe(200)
    expect((await fetch(`${reducer.url}/health/ready`)).status).toBe(200)
  })

  it('serves {} before the first scan', async () => {
    const plane = await memoryPlane(scope)
    const { reducer } = await startReducer(scope, plane)
    expect(await (await fetch(`${reducer.url}/api/v1/result/`)).json()).toEqual({})
    const status = (await (await fetch(`${reducer.url}/api/v1/status`)).json()) as {
      scan: unknown
    }
    expect(status.scan).toBeNull()
  })
})
