import { afterEach, describe, expect, it } from 'vitest'
import type {
  CallOutcome,
  ReducerRunner,
  RunnerResult,
  WorkerRunner,
} from '../../../src/analysis/analysis-runner.js'
import {
  createPythonReducerRunner,
  createPythonWorkerRunner,
  decodePayload,
  encodePayload,
} from '../../../src/internal.js'
import { event, LIMITS, pyModule, textParameters } from './python-harness.js'

const runners: (WorkerRunner | ReducerRunner)[] = []
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()))
})

const NO_PARAMS = textParameters({})
const STATE = { name: 'reducer', tags: [] }

async function reducer(
  cls: string,
  file = 'counting.py',
  publishMaxAgeMs = 0,
): Promise<ReducerRunner> {
  const runner = await createPythonReducerRunner(pyModule(file, cls), {
    limits: LIMITS,
    publishMaxAgeMs,
  })
  runners.push(runner)
  await runner.begin({ parameters: NO_PARAMS, state: STATE })
  return runner
}

function results(outcomes: CallOutcome[], first = 1): RunnerResult[] {
  return outcomes.map((o, i) => {
    if (o.kind !== 'result') throw new Error(`event ${first + i}: ${o.kind}`)
    return { eventNumber: first + i, worker: 'w0', parametersHash: 'h', payload: o.payload }
  })
}

function tsResults(values: number[][], first = 1): RunnerResult[] {
  return values.map((v, i) => ({
    eventNumber: first + i,
    worker: 'ts-worker',
    parametersHash: 'h',
    payload: encodePayload({ v: Float64Array.from(v) }),
  }))
}

describe('payloads between a Python worker and a Python or TypeScript reader', () => {
  it('reach a Python reducer equal (arrays with dtype and shape, scalars, tuples, dataclass instances)', async () => {
    const worker = await createPythonWorkerRunner(pyModule('payloads.py', 'PayloadWorker'), {
      limits: LIMITS,
    })
    runners.push(worker)
    await worker.begin({ parameters: NO_PARAMS, state: { name: 'w0', tags: ['generic'] } })
    const out = await worker.processEvents(
      [1, 2, 3].map((n) => event(n, {})),
      NO_PARAMS,
    )
    const red = await reducer('PayloadReducer', 'payloads.py')
    expect(red.hasTimer).toBe(true)
    expect((await red.processResults(results(out), NO_PARAMS)).map((o) => o.kind)).toEqual([
      'none',
      'none',
      'none',
    ])
    const publish = red.publish() as { equal: boolean[]; sum: Uint16Array[] }
    expect(publish.equal).toEqual([true, true, true])
    // sum of arange(12).reshape(3, 4) + n for n = 1..3, as uint16 rows
    expect(publish.sum.map((row) => [...row])).toEqual([
      [6, 9, 12, 15],
      [18, 21, 24, 27],
      [30, 33, 36, 39],
    ])
    expect(publish.sum[0]).toBeInstanceOf(Uint16Array)
  })

  it('reach TypeScript as plain objects, typed arrays and nested typed-array rows', async () => {
    const worker = await createPythonWorkerRunner(pyModule('payloads.py', 'PayloadWorker'), {
      limits: LIMITS,
    })
    runners.push(worker)
    await worker.begin({ parameters: NO_PARAMS, state: { name: 'w0', tags: ['generic'] } })
    const [out] = await worker.processEvents([event(2, {})], NO_PARAMS)
    if (out?.kind !== 'result') throw new Error(String(out?.kind))
    const p = decodePayload(out.payload) as Record<string, unknown>
    expect(p.n).toBe(2)
    expect(p.img).toEqual([
      Uint16Array.of(2, 3, 4, 5),
      Uint16Array.of(6, 7, 8, 9),
      Uint16Array.of(10, 11, 12, 13),
    ])
    const cube = p.cube as Float32Array[][]
    expect([cube.length, cube[0]?.length, cube[0]?.[0]?.length]).toEqual([2, 3, 4])
    expect(cube[1]?.[2]).toEqual(Float32Array.of(2, 2, 2, 2))
    expect(p.vec).toEqual(BigInt64Array.of(0n, 1n, 2n, 3n, 4n))
    expect(p.flags).toEqual([true, false])
    expect(p.scalar).toBe(1)
    expect(p.pair).toEqual([2, 'x'])
    expect(p.projection).toEqual({ axis: 1, profile: Float64Array.of(0, 2, 4) })
    const [nested] = p.nested as { a: unknown; b: Uint8Array }[]
    expect(nested?.a).toBeNull()
    expect(nested?.b).toBeInstanceOf(Uint8Array)
    expect([...(nested?.b ?? [])]).toEqual([1])
  })

  it('a TypeScript worker payload reaches a Python reducer as numpy arrays', async () => {
    const red = await reducer('CountingReducer')
    await red.processResults(
      tsResults([
        [1, 2, 3],
        [10, 20, 30],
      ]),
      NO_PARAMS,
    )
    expect(red.publish()).toEqual({ count: 2, total: Float64Array.of(11, 22, 33), events: [1, 2] })
  })
})

describe('Python reducer publish, timer and state', () => {
  it('publish catches up within its allowed age after the last batch', async () => {
    const red = await reducer('CountingReducer', 'counting.py', 200)
    for (let i = 0; i < 5; i++) await red.processResults(tsResults([[1, 1, 1]], i + 1), NO_PARAMS)
    await expect.poll(() => (red.publish() as { count?: number }).count).toBe(5)
  })

  it('onPublish hears of every new copy, also one a refresh brings after the call', async () => {
    let heard = 0
    const red = await createPythonReducerRunner(pyModule('counting.py', 'CountingReducer'), {
      limits: LIMITS,
      publishMaxAgeMs: 4000,
      onPublish: () => heard++,
    })
    runners.push(red)
    await red.begin({ parameters: NO_PARAMS, state: STATE })
    const before = heard
    await red.processResults(tsResults([[1, 1, 1]]), NO_PARAMS)
    // The reply came within half the allowed age of begin's copy: it carried none.
    expect((red.publish() as { count?: number }).count).toBe(0)
    expect(heard).toBe(before)
    await expect.poll(() => (red.publish() as { count?: number }).count).toBe(1)
    expect(heard).toBe(before + 1)
  })

  it('timer runs the class timer and returns its next interval', async () => {
    const red = await reducer('PayloadReducer', 'payloads.py')
    const first = await red.timer(NO_PARAMS)
    expect(first).toMatchObject({ kind: 'none', nextS: 0.05 })
    await red.timer(NO_PARAMS)
    expect((red.publish() as { timer: number }).timer).toBe(2)
  })

  it('snapshotState / restoreState carry the attributes (numpy arrays, dataclasses) to a new host', async () => {
    const first = await reducer('CountingReducer')
    await first.processResults(
      tsResults([
        [1, 2, 3],
        [4, 5, 6],
      ]),
      NO_PARAMS,
    )
    const state = await first.snapshotState()
    first.kill('replaced')
    const second = await reducer('CountingReducer')
    await second.restoreState(state)
    await second.processResults(tsResults([[100, 100, 100]], 3), NO_PARAMS)
    expect(second.publish()).toEqual({
      count: 3,
      total: Float64Array.of(105, 107, 109),
      events: [1, 2, 3],
    })
  })

  it('a class with snapshot_state / restore_state uses them', async () => {
    const first = await reducer('SnapshotReducer')
    await first.processResults(tsResults([[1, 1, 1]]), NO_PARAMS)
    const state = await first.snapshotState()
    expect(decodePayload(state)).toEqual({ count: 1, events: [1] })
    const second = await reducer('SnapshotReducer')
    await second.restoreState(state)
    expect(second.publish()).toEqual({ count: 1001 })
  })
})

describe('Python reducer without a timer', () => {
  it('says so, and a timer call is a no-op that keeps the host alive', async () => {
    const red = await reducer('CountingReducer')
    expect(red.hasTimer).toBe(false)
    expect(await red.timer(NO_PARAMS)).toMatchObject({ kind: 'none', nextS: 1 })
    expect(red.alive).toBe(true)
  })
})
