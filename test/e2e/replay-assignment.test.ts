import { describe, expect, it } from 'vitest'
import { mergeByEvent } from '../../cli/replay/merge-by-event.js'
import { runReplay } from '../../cli/replay/run-replay.js'
import {
  Assigner,
  compileScanPlan,
  readRecording,
  sequenceFromTriggerMap,
  streamName,
  uniformTriggerMap,
  type WorkerMessage,
  workerName,
} from '../../src/internal.js'
import { fixturePath, repoPath } from '../harness/fixtures.js'

// Which worker gets which event of a replay is the live controller's decision: the Assigner
// over the uniform map of the scan (all_wrap), its workers asking for one credit each in turn.
// The expectation is computed here with the Assigner over the compiled plan the controller
// would run, independently of replay's own (open-ended) plan.

const WORKER = `${repoPath('test/harness/who-did-what.ts')}:EchoWorker`
const REDUCER = `${repoPath('test/harness/who-did-what.ts')}:WhoReducer`
const RECORDING = fixturePath('dump_xrd.cbors')

/** The workers of each event of a live uniform scan of `events` events, asking in turns. */
function liveWorkers(workers: number, events: number): string[][] {
  if (events < 2) return liveWorkers(workers, 2).slice(0, events)
  const names = Array.from({ length: workers }, (_, i) => workerName(`replay-worker-${i}`))
  const stream = streamName('xrd')
  const plan = compileScanPlan(sequenceFromTriggerMap(uniformTriggerMap([stream], events - 2)))
  const a = new Assigner(plan)
  for (const name of names) a.addWorker(name)
  const out: string[][] = []
  let turn = 0
  for (let e = 0; e < events; e++) {
    while (a.releasedFrontier <= e) {
      a.request(names[turn]!, 1)
      turn = (turn + 1) % workers
    }
    const got = a.assignmentOf(e)?.assignments.get(stream) ?? []
    // Replay runs a broadcast event on its workers in their order.
    out.push([...got].sort((x, y) => names.indexOf(x) - names.indexOf(y)))
    for (const name of got) a.complete(name, [[e, e + 1]])
  }
  return out
}

/** The first `count` messages of the recording. */
async function* firstOf(count: number): AsyncGenerator<WorkerMessage> {
  let n = 0
  for await (const message of readRecording(RECORDING)) {
    if (n++ === count) return
    yield message
  }
}

async function eventNumbers(count: number): Promise<number[]> {
  const out: number[] = []
  for await (const event of mergeByEvent([{ name: RECORDING, messages: firstOf(count) }])) {
    out.push(event.eventNumber)
  }
  return out
}

describe("replay's assignment is the live Assigner's", () => {
  for (const count of [11, 3, 2, 1]) {
    for (const workers of [1, 2, 3]) {
      it(`agrees on the worker of every event: the recording's first ${count} events, ${workers} workers`, async () => {
        const warnings: string[] = []
        const report = await runReplay({
          worker: WORKER,
          reducer: REDUCER,
          files: [RECORDING],
          openSource: () => firstOf(count),
          workers,
          onWarning: (m) => warnings.push(m),
        })
        const numbers = await eventNumbers(count)
        expect(report.events).toBe(numbers.length)
        const expected: Record<string, string[]> = {}
        liveWorkers(workers, numbers.length).forEach((names, k) => {
          if (names.length > 0) expected[String(numbers[k])] = names
        })
        const got = (report.publish as { events: Record<string, string[]> }).events
        expect(got).toEqual(expected)
        // A start and an end event with nothing between them reach no worker, and replay says so.
        expect(warnings).toEqual(
          count < 3 ? [expect.stringMatching(/^only (one event|2 events): .* no worker/)] : [],
        )
      })
    }
  }
})
