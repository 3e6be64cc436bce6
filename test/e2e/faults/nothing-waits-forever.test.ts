import { afterEach, describe, expect, it, vi } from 'vitest'
import { countFaults, FaultCluster } from '../../harness/fault-cluster.js'

// Nothing waits forever: an ingester killed mid-scan and not restarted. The controller says at
// once, at WARNING, that the scan's stream has no live ingester; /progress says what the scan
// waits for; after the configured deadline the scan ends `failed` with that reason. What was
// reduced, was reduced once.

const FRAMES = 2000
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
let cluster: FaultCluster | undefined

afterEach(async () => {
  await cluster?.close()
  cluster = undefined
}, 30_000)

describe('a scan that cannot progress', () => {
  it('reports the missing ingester, then fails at the deadline with the reason', async () => {
    const c = new FaultCluster({
      redisUrl: REDIS_URL,
      workers: 2,
      roleEnv: {
        controller: { CONTROLLER_STALL_WARN_MS: '1500', CONTROLLER_STALL_TIMEOUT_MS: '6000' },
      },
    })
    cluster = c
    await c.start()
    c.simulate(FRAMES, 200)
    await c.startScan(FRAMES)
    await vi.waitFor(
      async () => expect((await c.progress()).completed_events).toBeGreaterThan(100),
      { timeout: 60_000, interval: 100 },
    )
    await c.kill('ingester', 'SIGKILL')
    await vi.waitFor(
      async () => {
        const warnings = (await c.logs('warn')).map((w) => w.message)
        expect(warnings).toContainEqual(
          expect.stringMatching(/stream 'cam' of the running scan has no live ingester/),
        )
      },
      { timeout: 30_000, interval: 200 },
    )
    // While stalled, /progress says what the scan waits for.
    await vi.waitFor(
      async () => {
        const p = await c.progress()
        expect(p.waiting_for).toContain("a live ingester for stream 'cam'")
      },
      { timeout: 30_000, interval: 200 },
    )
    const end = await c.waitEnded(60_000)
    expect(end.status).toBe('failed')
    expect(end.reason).toMatch(
      /^no progress for \d+ s: waiting for a live ingester for stream 'cam'/,
    )
    const p = await c.publish()
    expect(countFaults(p, FRAMES).doubled).toEqual([])
    expect(p.frames).toBeGreaterThan(0)
    const errors = (await c.logs('error')).map((w) => w.message)
    expect(errors).toContainEqual(expect.stringMatching(/failed: no progress for/))
  }, 180_000)
})
