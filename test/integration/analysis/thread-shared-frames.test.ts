import { afterEach, describe, expect, it } from 'vitest'
import {
  createThreadWorkerRunner,
  decodePayload,
  eventNumber,
  type ThreadWorkerRunnerHandle,
} from '../../../src/index.js'
import { repoPath } from '../../harness/fixtures.js'
import { fillByteOf } from '../../harness/keeping-analysis.js'

// Large frames reach an analysis thread through pooled shared buffers (shared-frames.ts). A
// pooled buffer must not be handed out again while the analysis still holds a frame in it:
// the analysis here keeps every tenth frame and checks all of them on each call.

const KEEPING = `${repoPath('test/harness/keeping-analysis.ts')}:KeepingWorker`
const LIMITS = { callTimeoutMs: 30_000, lifecycleTimeoutMs: 30_000, memoryMiB: Infinity }
const FRAME_BYTES = 256 * 1024
const runners: ThreadWorkerRunnerHandle[] = []

afterEach(async () => {
  for (const r of runners.splice(0)) await r.close()
})

function event(n: number) {
  return {
    event: {
      eventNumber: eventNumber(n),
      streams: { cam: { typ: 'raw', frames: [new Uint8Array(FRAME_BYTES).fill(fillByteOf(n))] } },
    },
    tick: false,
  }
}

interface Checked {
  n: number
  fresh: boolean
  keptIntact: boolean
  shared: boolean
}

describe('large frames into an analysis thread', () => {
  it('reuses pooled buffers, never one the analysis still holds', async () => {
    const runner = await createThreadWorkerRunner({
      spec: KEEPING,
      limits: LIMITS,
      name: 'keeping analysis',
      // A small pool, so it must reuse buffers to keep up.
      framePool: { maxPoolBytes: 48 * FRAME_BYTES },
    })
    runners.push(runner)
    await runner.begin({ parameters: {}, state: { name: 'w', tags: [] } })
    const checked: Checked[] = []
    for (let first = 0; first < 600; first += 8) {
      const batch = Array.from({ length: 8 }, (_, i) => event(first + i))
      const outcomes = await runner.processEvents(batch, {})
      for (const o of outcomes) {
        if (o.kind !== 'result') throw new Error(`event failed: ${JSON.stringify(o)}`)
        checked.push(decodePayload(o.payload) as Checked)
      }
    }
    expect(checked).toHaveLength(600)
    expect(checked.filter((c) => !c.fresh).map((c) => c.n)).toEqual([])
    expect(checked.filter((c) => !c.keptIntact).map((c) => c.n)).toEqual([])
    // The pool was used, and buffers came back to it (the test would prove nothing otherwise).
    expect(checked.filter((c) => c.shared).length).toBeGreaterThan(300)
    expect(runner.framePool.reuses).toBeGreaterThan(100)
  }, 120_000)
})
