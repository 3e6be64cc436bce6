import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  Assigner,
  compileScanPlan,
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
  const turns = new TurnAssigner(namesOf(workers))
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
 * What the controller's Assigner gives for a live uniform scan of `events` events (a uniform
 * map of `events - 2` frames, all_wrap) when the workers ask for one credit each, in turns,
 * before each event, and complete it: the workers of each event, in order.
 */
function live(workers: number, events: number): number[][] {
  const names = namesOf(workers)
  const plan = compileScanPlan(sequenceFromTriggerMap(uniformTriggerMap([s('cam')], events - 2)))
  const a = new Assigner(plan)
  for (const name of names) a.addWorker(name)
  const out: number[][] = []
  let turn = 0
  for (let e = 0; e < events; e++) {
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
    const turns = new TurnAssigner(namesOf(2))
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
    expect(() => new TurnAssigner([])).toThrow(RangeError)
    expect(() => new TurnAssigner([w('a'), w('a')])).toThrow(RangeError)
  })

  it('assigns as the live Assigner over the compiled uniform map, whenever events are asked for', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 2, max: 40 }),
        fc.array(fc.boolean(), { maxLength: 40 }),
        (workers, events, drainAfter) => {
          const got = feed(workers, events, drainAfter)
          expect(got).toEqual(live(workers, events))
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

  it('keeps the assigner small over a long stream: completed events are forgotten', () => {
    const turns = new TurnAssigner(namesOf(3))
    for (let e = 0; e < 10_000; e++) {
      turns.received()
      for (let to = turns.next(); to !== undefined; to = turns.next()) turns.completed()
    }
    const stats = turns.assigner.stats()
    expect(stats.activeInstances).toBeLessThan(200)
    expect(stats.heldRanges).toBeLessThan(200)
    expect(stats.releasedFrontier).toBe(9_999)
  })
})
