import { afterEach, describe, expect, it, vi } from 'vitest'
import { countFaults, FaultCluster } from '../../harness/fault-cluster.js'
import { OwnRedis } from '../../harness/own-redis.js'

// The control plane restarted mid-scan. With persistence (AOF) the scan goes on: nothing lost or
// doubled. Coming back empty, every process notices, the scan ends `failed` with the reason, and
// the next scan works.

const FRAMES = 3000
let cluster: FaultCluster | undefined
let redis: OwnRedis | undefined

afterEach(async () => {
  await cluster?.close()
  await redis?.close()
  cluster = undefined
  redis = undefined
}, 30_000)

async function midScan(c: FaultCluster): Promise<void> {
  await c.setParameter('reduce_ms', '1')
  c.simulate(FRAMES, 0)
  await c.startScan(FRAMES)
  await vi.waitFor(
    async () => expect((await c.progress()).completed_events).toBeGreaterThan(FRAMES / 4),
    { timeout: 60_000, interval: 100 },
  )
}

describe('Redis restarted mid-scan', () => {
  it('with its data (AOF): the scan finishes, every frame reduced exactly once', async () => {
    redis = await OwnRedis.start({ aof: true })
    const c = new FaultCluster({ redisUrl: redis.url, workers: 3 })
    cluster = c
    await c.start()
    await midScan(c)
    await redis.stop('SIGTERM')
    await redis.start()
    const end = await c.waitEnded(180_000)
    const p = await c.publish()
    expect(countFaults(p, FRAMES), c.output()).toEqual({ missing: [], doubled: [] })
    expect(p.frames).toBe(FRAMES)
    expect(end.status ?? 'finished').toBe('finished')
    expect(end.completed_events).toBe(FRAMES + 2)
  }, 300_000)

  it('without its data: every process says so, the scan fails with the reason, the next one works', async () => {
    redis = await OwnRedis.start({ aof: false })
    const c = new FaultCluster({ redisUrl: redis.url, workers: 3 })
    cluster = c
    await c.start()
    await midScan(c)
    await redis.stop('SIGKILL')
    await redis.start({ empty: true })
    const end = await c.waitEnded(60_000)
    expect(end.status).toBe('failed')
    expect(end.reason).toMatch(/control plane lost the scan/)
    // Every process noticed and said so at ERROR.
    for (const name of ['controller', 'reducer', 'ingester', ...c.workerNames]) {
      await vi.waitFor(
        () => expect(c.children.get(name)?.output()).toMatch(/came back without its data/),
        { timeout: 30_000 },
      )
    }
    const p = await c.publish()
    expect(countFaults(p, FRAMES).doubled).toEqual([])
    // The next scan, on the same processes, reduces every frame exactly once.
    await c.waitConfig(3, 1, true)
    c.simulate(FRAMES, 0)
    await c.startScan(FRAMES)
    const next = await c.waitEnded(180_000)
    expect(next.status).toBe('finished')
    const q = await c.publish()
    expect(countFaults(q, FRAMES), c.output()).toEqual({ missing: [], doubled: [] })
  }, 300_000)
})
