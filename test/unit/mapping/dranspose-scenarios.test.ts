import { describe, expect, it } from 'vitest'
import { Assigner } from '../../../src/mapping/index.js'
import { all, plain, planOf, vw, w } from './build-maps.js'

// Dranspose's worked scenarios (tests/test_mapping_parts.py), replayed through the Assigner.
// Dranspose binds one constraint (plus the broadcasts of that event) per `assign_next`; the
// closest equivalent is a request of one credit, so each step below asks for one credit.

const range = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i))
const everyFourth = (n: number) => range(n, (i) => (i % 4 === 0 ? [all()] : [vw(i)]))

interface Scenario {
  name: string
  parts: Record<string, Record<string, unknown[]>>
  sequence: string[]
  allWrap?: boolean
  workers: [string, string[]?][]
  /** Worker names, one request of one credit each, in order. */
  steps: string[]
  eventCount: number
  minWorkers?: number
  released?: number
  unreleased?: number[]
  assignments?: Record<number, Record<string, string[]>>
}

const scenarios: Scenario[] = [
  {
    name: 'multiple streams over two part instances with three workers',
    parts: {
      main: {
        eiger: range(5, (i) => [vw(2 * (i + 1))]),
        alba: range(5, (i) => [vw(2 * (i + 1)), vw(2 * (i + 1) + 1)]),
        orca: range(5, (i) => [vw(2 * (i + 1) + 1)]),
      },
    },
    sequence: ['main', 'main'],
    workers: [['w1'], ['w2'], ['w3']],
    steps: range(5, () => ['w1', 'w2', 'w3']).flat() as string[],
    eventCount: 10,
    minWorkers: 2,
    released: 7,
    assignments: {
      0: { eiger: ['w1'], alba: ['w1', 'w2'], orca: ['w2'] },
      6: { eiger: ['w1'], alba: ['w1', 'w2'], orca: ['w2'] },
    },
  },
  {
    name: 'null events are not read and do not hold the frontier',
    parts: {
      main: { test: range(4, (i) => (i % 4 === 0 ? [vw(i)] : null)) },
      end: { test: range(2, (i) => (i % 4 === 0 ? [vw(i)] : null)) },
    },
    sequence: ['main', 'main', 'end'],
    workers: [['w1'], ['w2']],
    steps: ['w1', 'w2'],
    eventCount: 10,
    released: 8,
    unreleased: [8],
    assignments: { 0: { test: ['w1'] }, 3: {}, 4: { test: ['w2'] } },
  },
  {
    name: 'null events: the next request binds event 8 and releases the tail',
    parts: {
      main: { test: range(4, (i) => (i % 4 === 0 ? [vw(i)] : null)) },
      end: { test: range(2, (i) => (i % 4 === 0 ? [vw(i)] : null)) },
    },
    sequence: ['main', 'main', 'end'],
    workers: [['w1'], ['w2']],
    steps: ['w1', 'w2', 'w1'],
    eventCount: 10,
    released: 10,
    assignments: { 8: { test: ['w1'] }, 9: {} },
  },
  {
    name: 'discard parts are released without any worker',
    parts: { main: { test: range(5, () => []) } },
    sequence: ['main', 'main'],
    workers: [['w1'], ['w2']],
    steps: ['w1', 'w2'],
    eventCount: 10,
    released: 10,
    assignments: { 8: { test: [] } },
  },
  {
    name: 'partial discard: use, discard, none, use',
    parts: {
      use: { test: range(2, (i) => [vw(i)]) },
      discard: { test: range(3, () => []) },
      none: { test: range(3, () => null) },
    },
    sequence: ['use', 'discard', 'none', 'use'],
    workers: [['w1'], ['w2']],
    steps: ['w1', 'w2', 'w1'],
    eventCount: 10,
    released: 9,
    assignments: { 1: { test: ['w2'] }, 4: { test: [] }, 6: {}, 8: { test: ['w1'] } },
  },
  {
    name: 'discard only one of two streams',
    parts: { main: { test: range(5, () => []), test2: range(5, (i) => [vw(i)]) } },
    sequence: ['main', 'main'],
    workers: [['w1'], ['w2']],
    steps: ['w1', 'w2', 'w1'],
    eventCount: 10,
    unreleased: [8],
    assignments: { 2: { test: [], test2: ['w1'] } },
  },
  {
    name: 'all-wrap adds a start and an end event',
    parts: {
      main: { test: range(4, (i) => (i % 4 === 0 ? [vw(i)] : null)) },
      end: { test: range(2, (i) => (i % 4 === 0 ? [vw(i)] : null)) },
    },
    sequence: ['main', 'main', 'end'],
    allWrap: true,
    workers: [['w1'], ['w2']],
    steps: ['w1', 'w2'],
    eventCount: 12,
    released: 1,
    unreleased: [8],
    assignments: { 0: { test: ['w1', 'w2'] } },
  },
  {
    name: '"all" every fourth event, two workers: event 4 waits for w1',
    parts: { main: { test: everyFourth(4) }, end: { test: everyFourth(2) } },
    sequence: ['main', 'main', 'end'],
    workers: [['w1'], ['w2']],
    steps: ['w1', 'w2', 'w1', 'w2', 'w1', 'w2'],
    eventCount: 10,
    released: 4,
    unreleased: [4],
  },
  {
    name: '"all" every fourth event, two workers: once w1 joins, event 4 goes to both',
    parts: { main: { test: everyFourth(4) }, end: { test: everyFourth(2) } },
    sequence: ['main', 'main', 'end'],
    workers: [['w1'], ['w2']],
    steps: ['w1', 'w2', 'w1', 'w2', 'w1', 'w2', 'w1'],
    eventCount: 10,
    assignments: { 0: { test: ['w1', 'w2'] }, 4: { test: ['w1', 'w2'] } },
  },
  {
    name: '"all" every fourth event on two streams, three workers',
    parts: {
      main: { test: everyFourth(4), test2: everyFourth(4), noall: range(4, (i) => [vw(i)]) },
      end: { test: everyFourth(2), test2: everyFourth(2), noall: range(2, (i) => [vw(i)]) },
    },
    sequence: ['main', 'main', 'end'],
    workers: [['w1'], ['w2'], ['w3']],
    // Joining a broadcast is a unit of its own here, so one more request binds event 4's noall.
    steps: [...range(3, () => ['w1', 'w2', 'w3']).flat(), 'w1', 'w2'] as string[],
    eventCount: 10,
    assignments: {
      0: { test: ['w1', 'w2', 'w3'], test2: ['w1', 'w2', 'w3'], noall: ['w1'] },
      4: { test: ['w1', 'w2', 'w3'], test2: ['w1', 'w2', 'w3'], noall: ['w2'] },
    },
  },
  {
    name: 'mixed broadcast and constraint streams',
    parts: {
      main: {
        eiger: range(5, (i) => [vw(2 * (i + 1))]),
        orca: range(5, (i) => [vw(2 * (i + 1) + 1)]),
        announcer: range(5, () => [all()]),
      },
    },
    sequence: ['main', 'main'],
    workers: [['w1'], ['w2'], ['w3']],
    steps: range(4, () => ['w1', 'w2', 'w3']).flat() as string[],
    eventCount: 10,
    assignments: {
      0: { eiger: ['w1'], orca: ['w2'], announcer: ['w1', 'w2', 'w3'] },
      1: { eiger: ['w3'], orca: ['w1'], announcer: ['w1', 'w2', 'w3'] },
    },
  },
  {
    name: 'all-wrap with tags: the start event reaches every worker holding a used tag',
    parts: {
      main: {
        test: range(4, (i) => (i % 4 ? [vw(i)] : [all(['tag', 'bla'])])),
        test2: range(4, (i) => (i % 4 ? [vw(i)] : [all(['tag2'])])),
      },
      end: {
        test: range(2, (i) => (i % 4 ? [vw(i)] : [all(['tag', 'bla'])])),
        test2: range(2, (i) => (i % 4 ? [vw(i)] : [all(['tag2'])])),
      },
    },
    sequence: ['main', 'main', 'end'],
    allWrap: true,
    workers: [
      ['w1', ['generic', 'tag', 'bla']],
      ['w2', ['tag2', 'generic']],
    ],
    steps: range(4, () => ['w1', 'w2']).flat() as string[],
    eventCount: 12,
    assignments: {
      0: { test: ['w1', 'w2'], test2: ['w1', 'w2'] },
      1: { test: ['w1'], test2: ['w2'] },
    },
  },
]

describe('Dranspose worked scenarios', () => {
  it.each(scenarios)('$name', (sc) => {
    const plan = planOf(sc.parts, sc.sequence, sc.allWrap ?? false)
    expect(plan.eventCount).toBe(sc.eventCount)
    if (sc.minWorkers !== undefined) expect(plan.minWorkers).toBe(sc.minWorkers)
    const a = new Assigner(plan)
    for (const [name, tags] of sc.workers) a.addWorker(w(name), tags)
    for (const name of sc.steps) a.request(w(name), 1)
    if (sc.released !== undefined) expect(a.releasedFrontier).toBe(sc.released)
    for (const e of sc.unreleased ?? []) expect(a.assignmentOf(e)).toBeUndefined()
    for (const [e, expected] of Object.entries(sc.assignments ?? {})) {
      expect(plain(a.assignmentOf(Number(e))?.assignments), `event ${e}`).toEqual(expected)
    }
  })

  it('a worker that is useless now is served as soon as work for it appears', () => {
    // test_useless_worker: 200 events for generic workers, then 200 for the "useless" tag.
    const main = { test: range(10, (i) => [vw(i)]) }
    const next = { test: range(10, (i) => [vw(i, ['useless'])]) }
    const plan = planOf({ main, next }, [
      ...range(20, () => 'main'),
      ...range(20, () => 'next'),
    ] as string[])
    expect(plan.eventCount).toBe(400)
    const a = new Assigner(plan, { lookaheadEvents: 100 })
    a.addWorker(w('useless'), ['useless'])
    a.addWorker(w('w1'))
    expect(a.request(w('useless'), 1).grants).toEqual([])
    for (let i = 0; i < 200; i++) {
      const grant = a.request(w('w1'), 1).grants.find((g) => g.worker === 'w1')
      expect(grant?.eventCount, `w1 request ${i}`).toBe(1)
    }
    // Dranspose queues the useless worker; here its unspent credit does the same.
    expect(a.heldBy(w('useless'))).toEqual([[200, 201]])
    for (let i = 0; i < 199; i++) {
      const grant = a.request(w('useless'), 1).grants.find((g) => g.worker === 'useless')
      expect(grant?.eventCount, `useless request ${i}`).toBe(1)
    }
    for (let e = 0; e < 400; e++) {
      expect(plain(a.assignmentOf(e)?.assignments)).toEqual({ test: [e < 200 ? 'w1' : 'useless'] })
    }
  })
})
