import { afterEach, describe, expect, it } from 'vitest'
import {
  createThreadWorkerRunner,
  decodePayload,
  eventNumber,
  type WorkerRunner,
} from '../../../src/internal.js'
import { repoPath } from '../../harness/fixtures.js'
import { fillByteOf } from '../../harness/keeping-analysis.js'

// Frames stay valid for as long as an analysis holds them. The analysis here keeps every tenth
// frame and checks all of them on each call; a data path that pooled or reused frame buffers
// (issue 14 tried pooled shared buffers into the analysis thread) and handed one out again while
// the analysis still held it would fail this test.

const KEEPING = `${repoPath('test/harness/keeping-analysis.ts')}:KeepingWorker`
const LIMITS = { callTimeoutMs: 30_000, lifecycleTimeoutMs: 30_000, memoryMiB: Infinity }
const FRAME_BYTES = 256 * 1024
const runners: WorkerRunner[] = []

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

describe('large frames kept by an analysis in a worker thread', () => {
  it('stay intact while the analysis keeps them, over many more frames than it keeps', async () => {
    const runner = await createThreadWorkerRunner({
      spec: KEEPING,
      limits: LIMITS,
      name: 'keeping analysis',
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
  }, 120_000)
})
