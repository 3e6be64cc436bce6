import { afterEach, describe, expect, it, vi } from 'vitest'
import { countFaults, FaultCluster } from '../../harness/fault-cluster.js'

// A reducer killed mid-scan (SIGKILL, or a plain SIGTERM) and started again resumes the scan
// from its snapshot; the workers send again what it had not saved. The final publish is what an
// uninterrupted scan gives: every frame reduced exactly once, with its own sum.

const FRAMES = 4000
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
let cluster: FaultCluster | undefined

afterEach(async () => {
  await cluster?.close()
  cluster = undefined
}, 30_000)

/** Kill the reducer with `signal` a quarter into the scan, start it again, count every frame. */
async function restartMidScan(signal: NodeJS.Signals): Promise<void> {
  const c = new FaultCluster({ redisUrl: REDIS_URL, workers: 3 })
  cluster = c
  await c.start()
  // 1 ms of reducer CPU per result: the scan lasts several seconds, the reducer is busy.
  await c.setParameter('reduce_ms', '1')
  c.simulate(FRAMES, 0)
  await c.startScan(FRAMES)
  await vi.waitFor(
    async () => expect((await c.progress()).completed_events).toBeGreaterThan(FRAMES / 4),
    { timeout: 60_000, interval: 100 },
  )
  const before = await c.publish()
  expect(before.frames).toBeGreaterThan(0)
  await c.kill('reducer', signal)
  c.spawn('reducer')
  const end = await c.waitEnded(180_000)
  const p = await c.publish()
  expect(countFaults(p, FRAMES), c.output()).toEqual({ missing: [], doubled: [] })
  expect(p.frames).toBe(FRAMES)
  expect(end.completed_events).toBe(FRAMES + 2)
  // Everything reduced before the crash is still there, with the same values.
  for (const [frame, sum] of Object.entries(before.sums)) expect(p.sums[frame]).toBe(sum)
  const warnings = await c.logs('warn')
  expect(warnings.map((w) => w.message)).toContainEqual(
    expect.stringMatching(/^reducer resumed scan .* from its snapshot/),
  )
}

describe('a reducer restarted mid-scan', () => {
  it('resumes from its snapshot after SIGKILL: every frame reduced exactly once', async () => {
    await restartMidScan('SIGKILL')
  }, 300_000)

  it('resumes from its snapshot after SIGTERM: every frame reduced exactly once', async () => {
    await restartMidScan('SIGTERM')
  }, 300_000)
})
