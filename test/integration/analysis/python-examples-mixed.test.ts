import { afterEach, describe, expect, it } from 'vitest'
import { RoiMeanReducer } from '../../../reducer/examples/roi-mean.js'
import type {
  ReducerRunner,
  RunnerResult,
  WorkerRunner,
} from '../../../src/analysis/analysis-runner.js'
import {
  createPythonReducerRunner,
  createPythonWorkerRunner,
  decodePayload,
  type EventData,
  encodePayload,
  readRecording,
  type WorkerName,
} from '../../../src/internal.js'
import { RoiMeanWorker } from '../../../workers/examples/roi-mean.js'
import { fixturePath, repoPath } from '../../harness/fixtures.js'
import { LIMITS, textParameters } from './python-harness.js'

const EXPECTED = [9.25, 11.25, 11.75, 4.25, 2.25, 3, 4.75, 7.75, 10.75]
const PARAMS = textParameters({ roi: '0:2,8:10', stream: '' })
const PY_WORKER = `${repoPath('workers/examples/roi_mean.py')}:RoiMeanWorker`
const PY_REDUCER = `${repoPath('reducer/examples/roi_mean.py')}:RoiMeanReducer`
const runners: (WorkerRunner | ReducerRunner)[] = []

afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()))
})

async function xrdEvents(): Promise<EventData[]> {
  const out: EventData[] = []
  for await (const msg of readRecording(fixturePath('dump_xrd.cbors'))) out.push(msg)
  return out
}

/** Results of the Python ROI-mean worker, encoded as they travel. */
async function pythonResults(events: EventData[]): Promise<RunnerResult[]> {
  const worker = await createPythonWorkerRunner(PY_WORKER, { limits: LIMITS })
  runners.push(worker)
  await worker.begin({ parameters: PARAMS, state: { name: 'py', tags: ['generic'] } })
  const out = await worker.processEvents(
    events.map((event) => ({ event, tick: false })),
    PARAMS,
  )
  return out.flatMap((o, i) =>
    o.kind === 'result'
      ? [
          {
            eventNumber: events[i]?.eventNumber ?? -1,
            worker: 'py',
            parametersHash: 'h',
            payload: o.payload,
          },
        ]
      : [],
  )
}

/** Results of the TypeScript ROI-mean worker, encoded as the worker service sends them. */
function typescriptResults(events: EventData[]): RunnerResult[] {
  const worker = new RoiMeanWorker()
  return events.flatMap((event) => {
    const out = worker.processEvent(event, PARAMS)
    return out === undefined
      ? []
      : [
          {
            eventNumber: event.eventNumber,
            worker: 'ts',
            parametersHash: 'h',
            payload: encodePayload(out),
          },
        ]
  })
}

async function pythonReducer(results: RunnerResult[]): Promise<unknown> {
  const reducer = await createPythonReducerRunner(PY_REDUCER, {
    limits: LIMITS,
    publishMaxAgeMs: 0,
  })
  runners.push(reducer)
  await reducer.begin({ parameters: PARAMS, state: { name: 'reducer', tags: [] } })
  // results arrive in any order
  await reducer.processResults([...results].reverse(), PARAMS)
  await reducer.finish(PARAMS)
  return reducer.publish()
}

function typescriptReducer(results: RunnerResult[]): unknown {
  const reducer = new RoiMeanReducer({
    parameters: PARAMS,
    context: {},
    state: { name: 'reducer', tags: [] },
  })
  for (const r of results) {
    reducer.processResult(
      {
        eventNumber: r.eventNumber as EventData['eventNumber'],
        worker: r.worker as WorkerName,
        parametersHash: r.parametersHash,
        payload: decodePayload(r.payload),
      },
      PARAMS,
    )
  }
  return reducer.publish
}

const means = (publish: unknown) => [
  ...((publish as { roi: { mean: ArrayLike<number> } }).roi.mean as number[]),
]

describe('the ROI-mean examples in Python and TypeScript, mixed freely', () => {
  it('Python worker + Python reducer', async () => {
    const publish = await pythonReducer(await pythonResults(await xrdEvents()))
    expect(means(publish)).toEqual(EXPECTED)
    expect((publish as { roi: { event_number: BigInt64Array } }).roi.event_number).toEqual(
      BigInt64Array.from([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n]),
    )
    expect((publish as { roi_attrs: unknown }).roi_attrs).toEqual({
      roi: '0:2,8:10',
      NX_class: 'NXdata',
      signal: 'mean',
      axes: ['event_number'],
    })
    expect((publish as { roi: { mean_attrs: unknown } }).roi.mean_attrs).toEqual({
      units: 'counts',
      long_name: 'ROI mean [0:2,8:10]',
    })
  })

  it('TypeScript worker + Python reducer', async () => {
    expect(means(await pythonReducer(typescriptResults(await xrdEvents())))).toEqual(EXPECTED)
  })

  it('Python worker + TypeScript reducer', async () => {
    expect(means(typescriptReducer(await pythonResults(await xrdEvents())))).toEqual(EXPECTED)
  })
})
