import { describe, expect, it } from 'vitest'
import {
  analysisError,
  type CallOutcome,
  callFailure,
  type EventData,
  encodeMissingFrame,
  eventNumber,
  eventVerdict,
  MISSING_FRAME_TYP,
  nextTimerS,
  type RunnerEvent,
  runEvents,
} from '../../../src/internal.js'

const MODULE = 'roi.ts:Roi'
const frame = { typ: 'STINS', frames: [new Uint8Array([1])] }
const missing = { typ: MISSING_FRAME_TYP, frames: encodeMissingFrame('frame 7 never came') }
const event = (n: number, streams: EventData['streams'] = { cam: frame }): EventData => ({
  eventNumber: eventNumber(n),
  streams,
})

describe('runEvents (the live worker and replay: what happens to an event)', () => {
  it('runs the events in one call, in order, and judges each outcome', async () => {
    const calls: RunnerEvent[][] = []
    const payload = new Uint8Array([9])
    const outcomes: CallOutcome[] = [
      { kind: 'result', payload },
      { kind: 'none' },
      { kind: 'failed', reason: 'bad pixel', code: 'DECODE_FAILED', stream: 'cam' },
      { kind: 'timeout', reason: 'over 5000 ms' },
      { kind: 'skipped' },
    ]
    const verdicts = await runEvents(
      MODULE,
      [0, 1, 2, 3, 4].map((n) => event(n)),
      async (list) => {
        calls.push([...list])
        return outcomes
      },
    )
    expect(calls).toHaveLength(1)
    expect(calls[0]!.map((e) => [e.event.eventNumber, e.tick])).toEqual([
      [0, false],
      [1, false],
      [2, false],
      [3, false],
      [4, false],
    ])
    expect(verdicts.map((v) => v.kind)).toEqual(['result', 'done', 'failed', 'fault', 'again'])
    expect(verdicts[0]).toEqual({ kind: 'result', payload })
    expect(verdicts[2]).toMatchObject({ code: 'DECODE_FAILED', stream: 'cam', reason: 'bad pixel' })
    expect(verdicts[2]!.kind === 'failed' && verdicts[2]!.error.message).toBe(
      'roi.ts:Roi (event 2): bad pixel',
    )
    expect(verdicts[3]).toMatchObject({ fault: 'timeout', reason: 'over 5000 ms' })
    expect(verdicts[3]!.kind === 'fault' && verdicts[3]!.error.message).toBe(
      'roi.ts:Roi (event 3): timed out: over 5000 ms',
    )
  })

  it('fails an event with a missing frame without running it (FRAME_MISSING, its stream)', async () => {
    const ran: number[] = []
    const verdicts = await runEvents(
      MODULE,
      [event(0), event(1, { cam: missing, diode: frame }), event(2)],
      async (list) => {
        ran.push(...list.map((e) => e.event.eventNumber))
        return list.map(() => ({ kind: 'none' }) as const)
      },
    )
    expect(ran).toEqual([0, 2])
    expect(verdicts.map((v) => v.kind)).toEqual(['done', 'failed', 'done'])
    expect(verdicts[1]).toMatchObject({ kind: 'failed', code: 'FRAME_MISSING', stream: 'cam' })
    expect(verdicts[1]!.kind === 'failed' && verdicts[1]!.error.message).toBe(
      "roi.ts:Roi (event 1): stream 'cam': frame 7 never came",
    )
  })

  it('does not call the analysis when every event misses a frame', async () => {
    const verdicts = await runEvents(MODULE, [event(3, { cam: missing })], async () => {
      throw new Error('must not run')
    })
    expect(verdicts.map((v) => v.kind)).toEqual(['failed'])
  })

  it('treats an outcome the analysis did not give as not run (still the worker’s)', async () => {
    const verdicts = await runEvents(MODULE, [event(0), event(1)], async () => [{ kind: 'none' }])
    expect(verdicts.map((v) => v.kind)).toEqual(['done', 'again'])
  })
})

describe('eventVerdict and analysisError (one failure text for live and replay)', () => {
  it('names the module and the event once', () => {
    const judge = (reason: string) => {
      const v = eventVerdict(MODULE, event(5), { kind: 'failed', reason })
      return v.kind === 'failed' ? v.error.message : undefined
    }
    expect(judge('boom')).toBe('roi.ts:Roi (event 5): boom')
    expect(judge('roi.ts:Roi (event 5): processEvent failed: boom')).toBe(
      'roi.ts:Roi (event 5): processEvent failed: boom',
    )
    expect(judge('roi.ts:Roi: constructor failed: boom')).toBe(
      'roi.ts:Roi (event 5): constructor failed: boom',
    )
  })

  it('says a crash is a crash', () => {
    const v = eventVerdict(MODULE, event(1), { kind: 'crashed', reason: 'memory cap' })
    expect(v).toMatchObject({ kind: 'fault', fault: 'crashed', reason: 'memory cap' })
    expect(v.kind === 'fault' && v.error.message).toBe('roi.ts:Roi (event 1): crashed: memory cap')
  })

  it('builds errors of the code ANALYSIS_FAILED with module and event', () => {
    const err = analysisError(MODULE, undefined, 'roi.ts:Roi: finish failed: x')
    expect(err).toMatchObject({ code: 'ANALYSIS_FAILED', module: MODULE, eventNumber: undefined })
    expect(err.message).toBe('roi.ts:Roi: finish failed: x')
  })
})

describe('callFailure and nextTimerS (the reducer side)', () => {
  it('counts a call that returned as done, anything else as failed with its reason', () => {
    expect(callFailure({ kind: 'none' })).toBeUndefined()
    expect(callFailure({ kind: 'result', payload: new Uint8Array() })).toBeUndefined()
    expect(callFailure({ kind: 'failed', reason: 'threw' })).toBe('threw')
    expect(callFailure({ kind: 'timeout', reason: 'slow' })).toBe('slow')
    expect(callFailure({ kind: 'crashed', reason: 'died' })).toBe('died')
    expect(callFailure({ kind: 'skipped' })).toBe('skipped')
  })

  it('runs the timer again after the seconds it returned, else after 1 s', () => {
    expect(nextTimerS({ nextS: 0.25 })).toBe(0.25)
    expect(nextTimerS({})).toBe(1)
  })
})
