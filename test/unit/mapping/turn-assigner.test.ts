import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AssignablePlan,
  Assigner,
  compileScanPlan,
  openUniformPlan,
  sequenceFromTriggerMap,
  TurnAssigner,
  uniformTriggerMap,
} from '../../../src/mapping/index.js'
import { s, w } from './build-maps.js'

const namesOf = (n: number) => Array.from({ length: n }, (_, i) => w(`replay-worker-${i}`))

/**
 * Feed `events` events to a turn assigner, asking for the next events after each one as far as
 * `drainAfter` says (the rest after the end); returns the workers of each event, in order.
 */
function feed(workers: number, events: number, drainAfter: readonly boolean[] = []): number[][] {
  const turns = new TurnAssigner(workers)
  const out: number[][] = []
  const drain = () => {
    for (let to = turns.next(); to !== undefined; to = turns.next()) {
      out.push([...to])
      turns.completed()
    }
  }
  for (let e = 0; e < events; e++) {
    turns.received()
    if (drainAfter[e] ?? true) drain()
  }
  expect(turns.finished).toBe(false)
  turns.ended()
  drain()
  expect(turns.finished).toBe(true)
  expect(turns.next()).toBeUndefined()
  return out
}

/**
 * What the controller's Assigner gives for a uniform scan of `events` events when the workers
 * ask for one credit each, in turns, before each event, and complete it: the workers of each
 * event, in order. `compiled`: the live plan of a uniform map of `events - 2` frames with
 * all_wrap, known from the start; else the open plan, told of each event as replay reads it
 * (the start event's workers once the third is read, any other's once the next is).
 */
function live(workers: number, events: number, compiled = true): number[][] {
  const names = namesOf(workers)
  const a: Assigner<AssignablePlan> = compiled
    ? new Assigner(
        compileScanPlan(sequenceFromTriggerMap(uniformTriggerMap([s('cam')], events - 2))),
      )
    : new Assigner(openUniformPlan([s('cam')]))
  for (const name of names) a.addWorker(name)
  const out: number[][] = []
  let turn = 0
  for (let e = 0; e < events; e++) {
    if (!compiled) {
      const read = Math.min(events, Math.max(e + 2, 3))
      if (read === events) a.endPlan(events)
      else a.extendPlan(read - 1)
    }
    while (a.releasedFrontier <= e) {
      a.request(names[turn]!, 1)
      turn = (turn + 1) % workers
    }
    const got = a.assignmentOf(e)!.assignments.get(s('cam'))!
    out.push(got.map((name) => names.indexOf(name)).sort((x, y) => x - y))
    for (const name of got) a.complete(name, [[e, e + 1]])
  }
  expect(a.finished).toBe(true)
  return out
}

describe('TurnAssigner', () => {
  it('gives the first and the last event to every worker, the others in turns', () => {
    expect(feed(2, 5)).toEqual([[0, 1], [0], [1], [0], [0, 1]])
    expect(feed(3, 6)).toEqual([[0, 1, 2], [0], [1], [2], [0], [0, 1, 2]])
    expect(feed(1, 4)).toEqual([[0], [0], [0], [0]])
    expect(feed(2, 3)).toEqual([[0, 1], [0], [0, 1]])
  })

  it('gives a start and an end event with nothing between them to nobody, as a live map of no frames', () => {
    expect(feed(2, 2)).toEqual([[], []])
    expect(feed(2, 1)).toEqual([[]])
    expect(feed(2, 0)).toEqual([])
  })

  it('hands an event out once its kind is known: the start event after two more, the others after one', () => {
    const turns = new TurnAssigner(2)
    turns.received()
    expect(turns.next()).toBeUndefined()
    turns.received()
    expect(turns.next()).toBeUndefined()
    turns.received()
    expect(turns.next()).toEqual([0, 1])
    turns.completed()
    expect(turns.next()).toEqual([0])
    turns.completed()
    expect(turns.next()).toBeUndefined()
    turns.ended()
    expect(turns.next()).toEqual([0, 1])
    expect(() => turns.next()).toThrow(/event 2 was handed out and not completed/)
    turns.completed()
    expect(() => turns.completed()).toThrow(/no event was handed out/)
    expect(turns.finished).toBe(true)
    expect(() => new TurnAssigner(0)).toThrow(RangeError)
    expect(() => new TurnAssigner(1.5)).toThrow(RangeError)
  })

  it('assigns as the live Assigner, over the compiled uniform map or the open plan, whenever events are asked for', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 2, max: 40 }),
        fc.array(fc.boolean(), { maxLength: 40 }),
        (workers, events, drainAfter) => {
          const got = feed(workers, events, drainAfter)
          expect(got).toEqual(live(workers, events))
          expect(got).toEqual(live(workers, events, false))
          // The rule, spelled out: start and end events to all, event k to worker (k - 1) mod N.
          const all = Array.from({ length: workers }, (_, i) => i)
          const rule = Array.from({ length: events }, (_, k) =>
            events < 3 ? [] : k === 0 || k === events - 1 ? all : [(k - 1) % workers],
          )
          expect(got).toEqual(rule)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('holds nothing per event over a long stream', () => {
    const turns = new TurnAssigner(3)
    for (let e = 0; e < 100_000; e++) {
      turns.received()
      for (let to = turns.next(); to !== undefined; to = turns.next()) turns.completed()
    }
    turns.ended()
    expect(turns.next()).toEqual([0, 1, 2])
    turns.completed()
    expect(turns.finished).toBe(true)
  })
})
