import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { countFaults, FaultCluster } from '../../harness/fault-cluster.js'

// Back-pressure, never loss: a reducer slower than the workers (5 ms of CPU per result) on
// 10,000 frames sent as fast as the detector can. The scan slows down; every frame is reduced
// exactly once; no link is dropped because its peer is busy.

const FRAMES = 10_000
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
let cluster: FaultCluster

beforeAll(async () => {
  cluster = new FaultCluster({ redisUrl: REDIS_URL, workers: 3 })
  await cluster.start()
}, 90_000)

afterAll(async () => {
  await cluster?.close()
}, 30_000)

describe('a reducer slower than the workers', () => {
  it(`reduces each of ${FRAMES} fast frames exactly once at 5 ms per result`, async () => {
    await cluster.setParameter('reduce_ms', '5')
    cluster.simulate(FRAMES, 0)
    await cluster.startScan(FRAMES)
    const end = await cluster.waitEnded(240_000)
    const p = await cluster.publish()
    const faults = countFaults(p, FRAMES)
    expect(faults, cluster.output()).toEqual({ missing: [], doubled: [] })
    expect(p.frames).toBe(FRAMES)
    expect(end.status ?? 'finished').toBe('finished')
    expect(end.completed_events).toBe(FRAMES + 2)
  }, 300_000)
})
