import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { startUp } from '../../cli/up/start-up.js'
import { parseUpSpec } from '../../cli/up/up-spec.js'
import { repoPath } from '../harness/fixtures.js'
import { startTcpProxy, type TcpProxy } from '../integration/control/tcp-proxy.js'

const REDIS = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
const prefix = `outage-${randomUUID().slice(0, 8)}`
let proxy: TcpProxy | undefined

afterAll(async () => {
  await proxy?.close()
  const redis = new Redis(REDIS.href)
  const keys = await redis.keys(`${prefix}:*`)
  if (keys.length > 0) await redis.del(...keys)
  redis.disconnect()
})

describe('a live scan on Redis whose connections are cut mid-scan', () => {
  it('reconnects every part and still reduces every event exactly once', async () => {
    proxy = await startTcpProxy(REDIS.hostname, Number(REDIS.port || 6379))
    const frames = 400
    const system = await startUp(
      parseUpSpec(
        {
          worker: `${repoPath('workers/examples/roi-mean.ts')}:RoiMeanWorker`,
          reducer: `${repoPath('reducer/examples/roi-mean.ts')}:RoiMeanReducer`,
          workers: 2,
          simulate: [{ device: 'stins', stream: 'cam', frames, shape: [16, 16], rateHz: 200 }],
          redis: `redis://127.0.0.1:${proxy.port}`,
          keyPrefix: prefix,
          port: 0,
          reducerPort: 0,
        },
        'test',
      ),
    )
    try {
      const scanId = await system.startScan()
      const reduced = () => system.reducer.status().scan?.reduced ?? 0
      await expect.poll(reduced, { timeout: 30_000, interval: 20 }).toBeGreaterThan(100)
      proxy.dropConnections()
      const cutAt = reduced()
      await expect.poll(reduced, { timeout: 30_000, interval: 20 }).toBeGreaterThan(cutAt + 50)
      proxy.dropConnections()
      await system.reducer.scanDone(scanId)
      const roi = (system.reducer.publish as { roi: { event_number: number[] } }).roi
      expect(roi.event_number).toEqual(Array.from({ length: frames }, (_, i) => i + 1))
      expect(system.reducer.status().scan?.status).toBe('finished')
    } finally {
      await system.close()
    }
  }, 90_000)
})
