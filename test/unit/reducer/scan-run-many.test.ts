import { describe, expect, it } from 'vitest'
import { ReducerMetrics } from '../../../reducer/reducer-metrics.js'
import type { ScanDurability } from '../../../reducer/scan-durability.js'
import { ScanRun } from '../../../reducer/scan-run.js'
import {
  type CallOutcome,
  eventNumber,
  FailureLog,
  type ReducerRunner,
  type ResultAck,
  type ResultBatch,
  type RunnerResult,
  ScanId,
  type Slot,
  WorkerName,
} from '../../../src/internal.js'

// Batches received together are reduced in one call of the runner (one watched stretch of user
// code), each connection is acknowledged once, for its last batch, and an identity that comes in
// two batches of the run is reduced once.

const SCAN = ScanId.parse('scan-many')

function batch(worker: string, session: string, seq: number, events: number[]): ResultBatch {
  return {
    scan: SCAN,
    worker: WorkerName.parse(worker),
    session,
    seq,
    floor: 0,
    items: events.map((n) => ({
      eventNumber: eventNumber(n),
      slot: 0 as Slot,
      parametersHash: 'h',
      outcome: 'result' as const,
      payload: new Uint8Array([n]),
    })),
  }
}

function setUp() {
  const calls: number[][] = []
  const runner = {
    kind: 'inline',
    parameters: [],
    alive: true,
    hasTimer: false,
    processResults: async (results: readonly RunnerResult[]): Promise<CallOutcome[]> => {
      calls.push(results.map((r) => r.eventNumber))
      return results.map(() => ({ kind: 'none' }))
    },
  } as unknown as ReducerRunner
  const completed: [string, number][] = []
  const durability = {
    complete: (worker: string, event: number) => completed.push([worker, event]),
    touched: () => {},
  } as unknown as ScanDurability
  const acks: [string, ResultAck][] = []
  const run = new ScanRun({
    scanId: SCAN,
    module: 'test',
    analysis: { current: runner, replace: () => Promise.resolve(runner) },
    durability: () => durability,
    ack: (to, ack) => acks.push([Buffer.from(to).toString(), ack]),
    metrics: new ReducerMetrics(() => 0),
    failures: new FailureLog({
      logger: { error: () => {}, warn: () => {} },
      role: 'reducer',
      name: 'r',
    }),
    warn: () => {},
    minDedupCompactSize: 1000,
  })
  return { run, calls, completed, acks }
}

describe('ScanRun.reduceMany', () => {
  it('reduces the batches of a run in one runner call and acknowledges each session once', async () => {
    const { run, calls, completed, acks } = setUp()
    const a = Buffer.from('conn-a')
    const b = Buffer.from('conn-b')
    await run.reduceMany(
      [
        { batch: batch('w0', 's0', 0, [1, 2]), from: a },
        { batch: batch('w1', 's1', 0, [3]), from: b },
        { batch: batch('w0', 's0', 1, [4, 2]), from: a },
      ],
      {},
      new AbortController().signal,
    )
    expect(calls).toEqual([[1, 2, 3, 4]])
    expect(run.counts.reduced).toBe(4)
    expect(run.counts.duplicates).toBe(1)
    // Every item is reported complete, the duplicate too (for its sender).
    expect(completed.map(([, e]) => e).sort()).toEqual([1, 2, 2, 3, 4])
    expect(acks.map(([to, ack]) => [to, ack.session, ack.reduced]).sort()).toEqual([
      ['conn-a', 's0', 1],
      ['conn-b', 's1', 0],
    ])
  })

  it('leaves the items alone and acknowledges nothing when aborted', async () => {
    const { run, calls, acks } = setUp()
    const ac = new AbortController()
    ac.abort()
    await run.reduceMany(
      [{ batch: batch('w0', 's0', 0, [1]), from: Buffer.from('a') }],
      {},
      ac.signal,
    )
    expect(calls).toEqual([])
    expect(acks).toEqual([])
  })
})
