import { describe, expect, it } from 'vitest'
import { runReplay } from '../../cli/replay/run-replay.js'
import {
  encodeMissingFrame,
  eventNumber,
  MISSING_FRAME_TYP,
  type WorkerMessage,
} from '../../src/internal.js'
import { repoPath } from '../harness/fixtures.js'
import type { StreamView } from '../harness/frame-capture.js'

const WORKER = `${repoPath('test/harness/frame-capture.ts')}:FrameWorker`
const REDUCER = `${repoPath('test/harness/frame-capture.ts')}:ByEventReducer`

type Events = Record<string, Record<string, StreamView>[]>
const eventsOf = (publish: unknown) => (publish as { events: Events }).events

describe("replay follows the live worker's rules for an event (src/analysis/call-verdicts.ts)", () => {
  it('fails an event with a missing frame without running it, as a live worker does', async () => {
    const text = (t: string) => ({ typ: 'text', frames: [new TextEncoder().encode(t)] })
    const missing = { typ: MISSING_FRAME_TYP, frames: encodeMissingFrame('frame 1 never came') }
    async function* messages(): AsyncGenerator<WorkerMessage> {
      yield { eventNumber: eventNumber(0), streams: { motor: text('{"x":0}') } }
      yield { eventNumber: eventNumber(1), streams: { motor: missing } }
      yield { eventNumber: eventNumber(2), streams: { motor: text('{"x":2}') } }
    }
    const report = await runReplay({
      worker: WORKER,
      reducer: REDUCER,
      files: ['in-memory'],
      openSource: () => messages(),
      workers: 1,
    })
    expect(report.events).toBe(3)
    expect(report.failedEvents).toBe(1)
    expect(report.failures.map((f) => [f.role, f.eventNumber, f.message])).toEqual([
      ['worker', 1, `${WORKER} (event 1): stream 'motor': frame 1 never came`],
    ])
    expect(Object.keys(eventsOf(report.publish)).sort()).toEqual(['0', '2'])
  })
})
