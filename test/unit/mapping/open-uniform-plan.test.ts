import { describe, expect, it } from 'vitest'
import {
  Assigner,
  compileScanPlan,
  openUniformPlan,
  sequenceFromTriggerMap,
  uniformTriggerMap,
} from '../../../src/mapping/index.js'
import { plain, s, w } from './build-maps.js'

const grantOf = (batch: { grants: readonly { worker: string; events: unknown }[] }, name: string) =>
  batch.grants.find((g) => g.worker === name)?.events

/** Two generic workers on an open plan over `cam` and `motor`. */
function twoWorkers(allWrap = true) {
  const a = new Assigner(openUniformPlan([s('cam'), s('motor')], { allWrap }))
  a.addWorker(w('w1'))
  a.addWorker(w('w2'))
  return a
}

describe('OpenUniformPlan served by the Assigner', () => {
  it('gives out events as they become known, never past them', () => {
    const a = twoWorkers()
    // Event 0 exists, but whether anything comes between it and the end is not known yet.
    expect(a.extendPlan(1).released).toEqual([0, 0])
    expect(a.request(w('w1'), 5).grants).toEqual([])
    expect(a.plan.eventCount).toBe(0)
    // Event 1 is an ordinary event: event 0 is a start event for every generic worker.
    const batch = a.extendPlan(2)
    expect(grantOf(batch, 'w1')).toEqual([[0, 2]])
    expect(batch.released).toEqual([0, 0])
    expect(a.request(w('w2'), 1).released).toEqual([0, 2])
    expect(plain(a.assignmentOf(0)?.assignments)).toEqual({
      cam: ['w1', 'w2'],
      motor: ['w1', 'w2'],
    })
    expect(plain(a.assignmentOf(1)?.assignments)).toEqual({ cam: ['w1'], motor: ['w1'] })
    // w1's unspent credits wait for work and take each event as it becomes known, one
    // constraint per event, all streams of an event together.
    expect(a.creditsOf(w('w1'))).toBe(3)
    const more = a.extendPlan(4)
    expect(grantOf(more, 'w1')).toEqual([[2, 4]])
    expect(more.released).toEqual([2, 4])
    expect(a.routes(s('cam'), 2, 4)).toEqual([{ start: 2, end: 4, workers: ['w1'] }])
    expect(() => a.routes(s('cam'), 2, 5)).toThrow(/not released/)
    expect(a.finished).toBe(false)
  })

  it('makes the last event the end event, for every generic worker, once the source ends', () => {
    const a = twoWorkers()
    a.extendPlan(3)
    a.request(w('w1'), 2) // start event, event 1
    a.request(w('w2'), 2) // start event, event 2
    expect(a.releasedFrontier).toBe(3)
    expect(a.request(w('w1'), 1).grants).toEqual([])
    // Event 3 is the last: w1's waiting credit joins the end event, which waits for w2.
    const end = a.endPlan(4)
    expect(grantOf(end, 'w1')).toEqual([[3, 4]])
    expect(end.released).toEqual([3, 3])
    expect(a.request(w('w2'), 1).released).toEqual([3, 4])
    expect(plain(a.assignmentOf(3)?.assignments)).toEqual({
      cam: ['w1', 'w2'],
      motor: ['w1', 'w2'],
    })
    expect(a.plan.locate(3).part).toBe('reserved_start_end')
    expect(a.plan.locate(2).part).toBe('main')
    expect(a.plan.entryAt(s('cam'), 2)).toEqual([{ tags: ['generic'], constraint: 0 }])
    // Finished once every event is complete, and not before the plan ended.
    a.complete(w('w1'), [
      [0, 2],
      [3, 4],
    ])
    expect(a.finished).toBe(false)
    expect(
      a.complete(w('w2'), [
        [0, 1],
        [2, 4],
      ]).completedFrontier,
    ).toBe(4)
    expect(a.finished).toBe(true)
  })

  it('assigns as the live uniform map of the same length, start and end events included', () => {
    for (let frames = 0; frames < 6; frames++) {
      const live = new Assigner(
        compileScanPlan(sequenceFromTriggerMap(uniformTriggerMap([s('cam')], frames))),
      )
      const open = new Assigner(openUniformPlan([s('cam')]))
      open.endPlan(frames + 2)
      for (const a of [live, open]) {
        a.addWorker(w('w1'))
        a.addWorker(w('w2'))
        a.request(w('w1'), 3)
        a.request(w('w2'), 9)
        a.request(w('w1'), 9)
      }
      for (let e = 0; e < frames + 2; e++) {
        expect(open.assignmentOf(e), `${frames} frames, event ${e}`).toEqual(live.assignmentOf(e))
      }
    }
  })

  it('sends the start and end events to nobody when nothing comes between them, as a live map of no frames', () => {
    for (const count of [1, 2]) {
      const a = twoWorkers()
      a.extendPlan(1)
      a.endPlan(count)
      // Read and discarded: released as soon as anybody asks, given to nobody.
      expect(a.request(w('w1'), 1)).toEqual({ grants: [], released: [0, count], rerouted: [] })
      for (let e = 0; e < count; e++)
        expect(plain(a.assignmentOf(e)?.assignments)).toEqual({ cam: [], motor: [] })
      expect(a.finished).toBe(true)
    }
    const empty = twoWorkers()
    expect(empty.endPlan(0).released).toEqual([0, 0])
    expect(empty.finished).toBe(true)
  })

  it('without all_wrap, gives every event to one worker, the first and the last too', () => {
    const a = twoWorkers(false)
    a.extendPlan(1)
    expect(grantOf(a.request(w('w1'), 1), 'w1')).toEqual([[0, 1]])
    a.endPlan(3)
    expect(grantOf(a.request(w('w2'), 1), 'w2')).toEqual([[1, 2]])
    expect(grantOf(a.request(w('w1'), 1), 'w1')).toEqual([[2, 3]])
    expect(plain(a.assignmentOf(2)?.assignments)).toEqual({ cam: ['w1'], motor: ['w1'] })
  })

  it('refuses an end that contradicts what is known, and growth after the end', () => {
    const a = twoWorkers()
    a.extendPlan(3)
    expect(() => a.extendPlan(2)).toThrow(/at least 3/)
    // Event 2 is known as an ordinary event: it cannot be the end event.
    expect(() => a.endPlan(3)).toThrow(/event 2 is known as an ordinary event/)
    expect(() => a.endPlan(2.5)).toThrow(/integer/)
    a.endPlan(4)
    expect(a.endPlan(4)).toEqual({ grants: [], released: [0, 0], rerouted: [] })
    expect(() => a.endPlan(5)).toThrow(/ended at 4/)
    expect(() => a.extendPlan(5)).toThrow(/ended at 4/)
    const compiled = new Assigner(
      compileScanPlan(sequenceFromTriggerMap(uniformTriggerMap([s('cam')], 2))),
    )
    expect(() => compiled.extendPlan(9)).toThrow(expect.objectContaining({ code: 'STATE_INVALID' }))
    expect(() => openUniformPlan([])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }))
  })
})
