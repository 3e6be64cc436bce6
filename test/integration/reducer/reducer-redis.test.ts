import { randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { readReducerSnapshot } from '../../../reducer/reducer-snapshot.js'
import type { ControlPlane } from '../../../src/control/control-plane.js'
import { createRedisControlPlane } from '../../../src/control/redis-control-plane.js'
import {
  expectNoErrors,
  FakeController,
  FakeWorker,
  items,
  Scope,
  startReducer,
} from './harness.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const scope = new Scope()
let plane: ControlPlane | undefined

afterEach(async () => {
  await scope.cleanup()
  if (plane !== undefined) {
    const sweeper = createRedisControlPlane({ url: REDIS_URL, keyPrefix: plane.keys.prefix })
    await sweeper.start()
    await sweeper.del(await sweeper.scan(sweeper.keys.allPattern()))
    await sweeper.close()
    plane = undefined
  }
})

describe('reducer on Redis', () => {
  it('reduces a scan once, reports completions, finishes', async () => {
    plane = scope.add(
      createRedisControlPlane({
        url: REDIS_URL,
        keyPrefix: `test-red-${randomUUID().slice(0, 8)}`,
      }),
    )
    await plane.start()
    const { reducer, log } = await startReducer(scope, plane)
    const controller = new FakeController(plane)
    const scan = await controller.start()
    await vi.waitFor(() => expect(reducer.status().scan?.scanId).toBe(scan))
    const w1 = await FakeWorker.connect(scope, 'w1', reducer.endpoint)
    await w1.send(scan, items(0, 600, 0))
    await w1.send(scan, items(100, 110, 0))
    await vi.waitFor(async () => {
      const { events } = await controller.completed(scan)
      expect(new Set(events.w1).size).toBe(600)
    })
    expect(reducer.status().scan).toMatchObject({ reduced: 600, duplicates: 10 })
    // Reported only once saved: the snapshot holds all 600, and the worker heard both of its
    // batches are durable (it may forget them).
    await vi.waitFor(() => expect(w1.durable).toBe(1))
    const saved = await readReducerSnapshot(plane, scan)
    expect(saved?.counts).toMatchObject({ reduced: 600, duplicates: 10 })
    expect(saved?.sessions).toEqual([[w1.session, 'w1', 1]])
    await controller.finish(scan)
    await reducer.scanDone(scan)
    expect(reducer.publish).toMatchObject({ sum: 600, finished: true })
    expectNoErrors(log)
  })
})
