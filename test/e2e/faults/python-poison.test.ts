import { afterEach, describe, expect, it, vi } from 'vitest'
import { countFaults, FaultCluster } from '../../harness/fault-cluster.js'
import { repoPath } from '../../harness/fixtures.js'

// Python workers that die on real processes: `beamloom worker -w fault_analysis.py:PyFaultWorker`
// ×3 on Redis (with the TypeScript FaultReducer counting every frame), and a Python host that
// ends itself, segfaults, runs past its memory cap or never returns on one frame. The worker
// process survives: its supervisor starts a new Python host, the controller hands the event to
// another worker and fails it after the second attempt; every other frame is reduced exactly
// once and the scan finishes. An exception fails its event only, with the Python type and
// message in the shared log, and nothing is restarted.

const FRAMES = 600
const POISON = 300
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const WORKER = `${repoPath('test/harness/fault_analysis.py')}:PyFaultWorker`
const REPLACED = 'analysis replaced after a fault'
let cluster: FaultCluster | undefined

afterEach(async () => {
  await cluster?.close()
  cluster = undefined
}, 30_000)

async function startCluster(): Promise<FaultCluster> {
  const c = new FaultCluster({
    redisUrl: REDIS_URL,
    workers: 3,
    worker: WORKER,
    roleEnv: { worker: { WORKER_EVENT_TIMEOUT_MS: '3000', WORKER_MEMORY_MIB: '400' } },
  })
  cluster = c
  await c.start()
  return c
}

/** Times each worker process logged that its analysis host was replaced. */
function replacements(c: FaultCluster): number {
  return c.workerNames
    .map((name) => c.children.get(name)?.output().split(REPLACED).length ?? 1)
    .reduce((sum, n) => sum + n - 1, 0)
}

describe('Python workers whose host dies', () => {
  it.each([
    ['exit', /the Python host exited \(code 3\)/],
    ['segv', /the Python host exited \(SIGSEGV\)/],
    ['leak', /exceeded the memory cap of 400 MiB \(MemoryError: /],
    ['loop', /the call ran longer than its limit of 3000 ms \(the Python host was killed\)/],
  ])(
    'poison %s: the host is replaced, the event tried on a second worker, then failed; the scan finishes',
    async (how, reason) => {
      const c = await startCluster()
      await c.setParameter('poison_frame', String(POISON))
      await c.setParameter('poison', how)
      c.simulate(FRAMES, 0)
      await c.startScan(FRAMES)
      const end = await c.waitEnded(240_000)
      expect(end.status, c.output()).toBe('finished')
      expect(end.completed_events).toBe(FRAMES + 2)
      expect(end.failed_events).toBe(1)
      expect(countFaults(await c.publish(), FRAMES)).toEqual({ missing: [POISON], doubled: [] })
      // The controller said what happened, at WARNING: one retry, then the failure, each with
      // the runner's reason.
      const event = POISON + 1
      const warnings = (await c.logs('warn')).map((w) => w.message)
      const retried = warnings.find((m) => m.startsWith(`event ${event}: attempt 1 failed on`))
      const failed = warnings.find((m) => m.startsWith(`event ${event} failed after 2 attempts`))
      expect(retried, warnings.join('\n')).toMatch(reason)
      expect(failed, warnings.join('\n')).toMatch(reason)
      // The worker processes live on: each of the two that met the poison has a new host.
      expect(replacements(c)).toBe(2)
      for (const name of c.workerNames) expect(c.children.get(name)?.process.exitCode).toBeNull()
      const config = (await (await fetch(`${c.controller}/api/v1/config`)).json()) as {
        workers: unknown[]
      }
      expect(config.workers).toHaveLength(3)
      // A second scan on the same workers, without poison, reduces every frame.
      await c.setParameter('poison_frame', '-1')
      c.simulate(FRAMES, 0)
      await c.startScan(FRAMES)
      await vi.waitFor(async () => expect((await c.progress()).status).toBe('finished'), {
        timeout: 120_000,
        interval: 250,
      })
      expect(countFaults(await c.publish(), FRAMES)).toEqual({ missing: [], doubled: [] })
    },
    420_000,
  )

  it('an exception in process_event fails that event only, named with its Python type and message', async () => {
    const c = await startCluster()
    await c.setParameter('poison_frame', String(POISON))
    await c.setParameter('poison', 'throw')
    c.simulate(FRAMES, 0)
    await c.startScan(FRAMES)
    const end = await c.waitEnded(240_000)
    expect(end.status, c.output()).toBe('finished')
    expect(end.completed_events).toBe(FRAMES + 2)
    expect(end.failed_events).toBe(1)
    expect(countFaults(await c.publish(), FRAMES)).toEqual({ missing: [POISON], doubled: [] })
    // The shared log has the reason: the exception's type, message and place in the module.
    const errors = await c.logs('error')
    const entry = errors.find((e) => e.message.includes(`(event ${POISON + 1})`))
    expect(entry?.message, JSON.stringify(errors)).toMatch(
      new RegExp(`ValueError: frame ${POISON} is poison \\(fault_analysis\\.py:\\d+\\)`),
    )
    // The traceback went to that worker's own log.
    const outputs = c.workerNames.map((name) => c.children.get(name)?.output() ?? '')
    expect(outputs.some((o) => o.includes('Traceback (most recent call last)'))).toBe(true)
    // Not a fault: no retry, no restarted host.
    const warnings = (await c.logs('warn')).map((w) => w.message)
    expect(warnings.filter((m) => m.startsWith(`event ${POISON + 1}: attempt`))).toEqual([])
    expect(replacements(c)).toBe(0)
  }, 420_000)
})
