import { afterEach, describe, expect, it, vi } from 'vitest'
import { countFaults, FaultCluster } from '../../harness/fault-cluster.js'

// Poison events on real processes: an analysis that loops forever on one frame, and one that
// leaks memory on it. The stuck analysis is stopped and replaced (time limit, memory cap), the
// event tried on a second worker, then failed with the reason; every other frame is reduced
// exactly once, the scan finishes, and no worker is left spinning or dead.

const FRAMES = 1000
const POISON = 500
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
let cluster: FaultCluster | undefined

afterEach(async () => {
  await cluster?.close()
  cluster = undefined
}, 30_000)

async function poisonScan(how: 'loop' | 'async-loop' | 'leak'): Promise<void> {
  const c = new FaultCluster({
    redisUrl: REDIS_URL,
    workers: 3,
    roleEnv: { worker: { WORKER_EVENT_TIMEOUT_MS: '2000', WORKER_MEMORY_MIB: '300' } },
  })
  cluster = c
  await c.start()
  await c.setParameter('poison_frame', String(POISON))
  await c.setParameter('poison', how)
  c.simulate(FRAMES, 0)
  await c.startScan(FRAMES)
  const end = await c.waitEnded(180_000)
  expect(end.status, c.output()).toBe('finished')
  expect(end.completed_events).toBe(FRAMES + 2)
  expect(end.failed_events).toBe(1)
  const p = await c.publish()
  expect(countFaults(p, FRAMES)).toEqual({ missing: [POISON], doubled: [] })
  // The controller said what happened, at WARNING: one retry, then the failure.
  const event = POISON + 1
  const warnings = (await c.logs('warn')).map((w) => w.message)
  expect(warnings).toContainEqual(
    expect.stringMatching(new RegExp(`^event ${event}: attempt 1 failed on worker 'w\\d'`)),
  )
  expect(warnings).toContainEqual(
    expect.stringMatching(new RegExp(`^event ${event} failed after 2 attempts`)),
  )
  // Every worker is alive and registered; none spins on the poison any more.
  const config = (await (await fetch(`${c.controller}/api/v1/config`)).json()) as {
    workers: unknown[]
  }
  expect(config.workers).toHaveLength(3)
  for (const name of c.workerNames) expect(c.children.get(name)?.process.exitCode).toBeNull()
  // A second scan on the same workers, without poison, reduces every frame.
  await c.setParameter('poison_frame', '-1')
  c.simulate(FRAMES, 0)
  await c.startScan(FRAMES)
  await vi.waitFor(async () => expect((await c.progress()).status).toBe('finished'), {
    timeout: 120_000,
    interval: 250,
  })
  expect(countFaults(await c.publish(), FRAMES)).toEqual({ missing: [], doubled: [] })
}

describe('poison events', () => {
  it('an analysis looping forever on one frame: stopped, tried twice, failed; the scan finishes', async () => {
    await poisonScan('loop')
  }, 300_000)

  it('an analysis that leaks memory on one frame: stopped at the cap, failed; the scan finishes', async () => {
    await poisonScan('leak')
  }, 300_000)
})
