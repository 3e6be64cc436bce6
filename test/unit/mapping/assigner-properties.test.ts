import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  Assigner,
  type AssignmentBatch,
  compileScanPlan,
  EventRangeSet,
  openUniformPlan,
  parseSequence,
  sequenceFromTriggerMap,
  uniformTriggerMap,
} from '../../../src/mapping/index.js'
import { Model, type ModelPlan } from './assignment-model.js'
import { s, w } from './build-maps.js'

// Random scans, random worker sets, random credits, random join/leave orders: the invariants of
// issue 3 are checked against a model after every call, and every scan is driven to its end.

const TAGS = ['generic', 'x', 'y']
const STREAMS = ['a', 'b', 'c']

const tagList = fc.subarray(TAGS, { minLength: 1, maxLength: 2 })
const virtualWorker = fc.record(
  { tags: tagList, constraint: fc.option(fc.nat(3), { nil: null, freq: 3 }) },
  { requiredKeys: ['constraint'] },
)
const entry = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant([]) },
  { weight: 4, arbitrary: fc.array(virtualWorker, { minLength: 1, maxLength: 2 }) },
)
const part = fc
  .tuple(fc.subarray(STREAMS, { minLength: 1 }), fc.nat(6))
  .chain(([streams, length]) =>
    fc.tuple(
      ...streams.map((st) =>
        fc.array(entry, { minLength: length, maxLength: length }).map((l) => [st, l] as const),
      ),
    ),
  )
  .map((pairs) => Object.fromEntries(pairs))
const scan = fc
  .record({
    parts: fc.array(part, { minLength: 1, maxLength: 3 }),
    order: fc.array(fc.nat(2), { maxLength: 5 }),
    allWrap: fc.boolean(),
  })
  .map(({ parts, order, allWrap }) => {
    const names = parts.map((_, i) => `p${i}`)
    const sequence = order.map((i) => names[i % names.length]!)
    const json = { parts: Object.fromEntries(parts.map((p, i) => [names[i]!, p])), sequence }
    return compileScanPlan(parseSequence(json), { allWrap })
  })

type Op =
  | { kind: 'add'; worker: number; tags: string[] }
  | { kind: 'remove'; worker: number }
  | { kind: 'request'; worker: number; credits: number }
  | { kind: 'complete'; worker: number; share: number }
  // Open plans only: the source gave `by` more events, or ended after `extra` more.
  | { kind: 'grow'; by: number }
  | { kind: 'end'; extra: number }
const memberOp: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('add' as const), worker: fc.nat(4), tags: tagList }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), worker: fc.nat(4) }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('request' as const),
      worker: fc.nat(4),
      credits: fc.nat(5),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('complete' as const),
      worker: fc.nat(4),
      share: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
)
const op = memberOp
const openOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: memberOp },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('grow' as const), by: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('end' as const), extra: fc.nat(2) }) },
)
const openPlan = fc
  .record({ streams: fc.subarray(STREAMS, { minLength: 1 }), allWrap: fc.boolean() })
  .map(({ streams, allWrap }) => openUniformPlan(streams.map(s), { allWrap }))
const options = fc.record({
  horizonEvents: fc.oneof(fc.nat(6), fc.constant(Number.POSITIVE_INFINITY)),
  lookaheadEvents: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.constant(10_000)),
})

function run(plan: ModelPlan, opts: { horizonEvents: number; lookaheadEvents: number }, ops: Op[]) {
  const a = new Assigner<ModelPlan>(plan, opts)
  const m = new Model(plan, a)
  const blocked = () => {
    const out = new Set<string>()
    for (const [name, held] of m.held)
      if (held.first() < a.releasedFrontier - opts.horizonEvents) out.add(name)
    return out
  }
  const step = (o: Op) => {
    // State is compacted at the start of each call, so the bound uses the previous frontier.
    const compactedTo = a.completedFrontier
    const name = `w${'worker' in o ? o.worker : -1}`
    const live = m.held.has(name)
    if (o.kind === 'add') {
      if (live) return
      a.addWorker(w(name), o.tags)
      m.held.set(name, new EventRangeSet())
      m.tags.set(name, new Set(o.tags))
      m.requested.set(name, 0)
      m.granted.set(name, 0)
    } else if (o.kind === 'remove') {
      if (!live) return
      const before = blocked()
      const removal = a.removeWorker(w(name))
      expect(removal.unfinished).toEqual(m.held.get(name)!.ranges())
      m.forget(name)
      m.apply(removal.batch, before)
    } else if (o.kind === 'grow' || o.kind === 'end') {
      if (plan.ended) return
      const before = blocked()
      const known = plan.knownEvents
      let total = known + (o.kind === 'grow' ? o.by : o.extra)
      // With all_wrap the end event must be one not known yet as an ordinary event.
      if (o.kind === 'end' && plan.allWrap && total >= 2 && total - 1 < known) total = known + 1
      const batch = o.kind === 'grow' ? a.extendPlan(total) : a.endPlan(total)
      m.apply(batch, before)
    } else if (o.kind === 'request') {
      if (!live) return
      const before = blocked()
      m.requested.set(name, m.requested.get(name)! + o.credits)
      m.apply(a.request(w(name), o.credits), before)
    } else {
      if (!live) return
      const held = m.held.get(name)!
      const done = held.toArray().filter((e) => e < a.releasedFrontier)
      const chosen = done.slice(0, Math.ceil(done.length * o.share))
      const result = a.complete(
        w(name),
        chosen.map((e) => [e, e + 1] as const),
      )
      expect(result.accepted).toBe(chosen.length)
      for (const e of chosen) {
        held.removeRange(e, e + 1)
        const set = m.completedBy.get(e) ?? new Set()
        set.add(name)
        m.completedBy.set(e, set)
      }
      m.apply(result.batch, new Set())
    }
    for (const [n, held] of m.held) {
      expect(a.heldBy(w(n)), `held by ${n}`).toEqual(held.ranges())
      // Credits are spent one unit at a time, each unit at least one credit.
      expect(a.creditsOf(w(n))).toBeLessThanOrEqual(m.requested.get(n)! - m.granted.get(n)!)
    }
    const st = a.stats()
    expect(st.scanCursor - st.releasedFrontier).toBeLessThanOrEqual(opts.lookaheadEvents + 8)
    // (+1: the event at the cursor may already hold a record while it waits for credits.)
    expect(st.broadcastRecords).toBeLessThanOrEqual(st.scanCursor + 1 - compactedTo)
    expect(st.completedFrontier).toBeLessThanOrEqual(st.releasedFrontier)
  }
  for (const o of ops) step(o)

  // Drive to the end: an open plan ends, one worker qualified for everything joins, everybody
  // works and asks.
  step({ kind: 'end', extra: 1 })
  step({ kind: 'add', worker: 9, tags: TAGS })
  for (let round = 0; !a.finished; round++) {
    expect(round, 'scan does not finish').toBeLessThan(plan.eventCount * 4 + 20)
    for (const name of [...m.held.keys()]) {
      const n = Number(name.slice(1))
      step({ kind: 'complete', worker: n, share: 1 })
      step({ kind: 'request', worker: n, credits: 3 })
    }
  }
  // Nothing lost: every worker an event finally went to reported it.
  for (let e = 0; e < plan.eventCount; e++) {
    for (const [stream, workers] of m.routing.get(e) ?? new Map()) {
      for (const name of workers) {
        expect(m.completedBy.get(e)?.has(name), `event ${e} ${stream} by ${name}`).toBe(true)
      }
    }
  }
  expect(m.routing.size).toBe(plan.eventCount)
  a.complete(w('w9'), [])
  expect(a.stats()).toMatchObject({
    activeInstances: 0,
    broadcastRecords: 0,
    heldEvents: 0,
    handbacks: 0,
  })
}

describe('Assigner properties', () => {
  it('holds the invariants over random scans, workers, credits and join/leave orders', () => {
    fc.assert(
      fc.property(scan, options, fc.array(op, { maxLength: 40 }), (plan, opts, ops) => {
        run(plan, opts, ops)
      }),
      { numRuns: 300 },
    )
  }, 60_000)

  it('holds the invariants over open uniform plans that grow and end between the calls', () => {
    fc.assert(
      fc.property(openPlan, options, fc.array(openOp, { maxLength: 50 }), (plan, opts, ops) => {
        run(plan, opts, ops)
      }),
      { numRuns: 300 },
    )
  }, 60_000)

  it('assigns an open uniform plan known to its end as the live uniform map, call for call', () => {
    // The closed plan is what the controller runs for a uniform scan of n frames.
    fc.assert(
      fc.property(
        fc.subarray(STREAMS, { minLength: 1 }),
        fc.boolean(),
        fc.nat(8),
        fc.array(op, { maxLength: 60 }),
        (streams, allWrap, frames, ops) => {
          const names = streams.map(s)
          const closed = new Assigner(
            compileScanPlan(sequenceFromTriggerMap(uniformTriggerMap(names, frames)), { allWrap }),
          )
          const open = new Assigner(openUniformPlan(names, { allWrap }))
          const total = closed.plan.eventCount
          expect(open.endPlan(total)).toEqual({ grants: [], released: [0, 0], rerouted: [] })
          // The same batches; the events they release and re-route go to the same workers (read
          // right away: the two compact completed events at different times).
          const same = (call: (a: Assigner<ModelPlan>) => unknown) => {
            const want = call(closed)
            expect(call(open)).toEqual(want)
            const batch = (want as { batch?: AssignmentBatch } | undefined)?.batch ?? want
            if (batch === undefined || !('released' in (batch as object))) return
            const { released, rerouted } = batch as AssignmentBatch
            for (const [from, to] of [released, ...rerouted]) {
              for (let e = from; e < to; e++) {
                expect(open.assignmentOf(e)).toEqual(closed.assignmentOf(e))
              }
            }
          }
          const live = new Set<string>()
          for (const o of [...ops, ...drain(ops)]) {
            const name = w(`w${'worker' in o ? o.worker : 0}`)
            if (o.kind === 'add' && !live.has(name)) {
              live.add(name)
              same((a) => a.addWorker(name, o.tags))
            } else if (o.kind === 'remove' && live.delete(name)) {
              same((a) => a.removeWorker(name))
            } else if (o.kind === 'request' && live.has(name)) {
              same((a) => a.request(name, o.credits))
            } else if (o.kind === 'complete' && live.has(name)) {
              const held = closed.heldBy(name).filter(([from]) => from < closed.releasedFrontier)
              same((a) => a.complete(name, held.slice(0, Math.ceil(held.length * o.share))))
            }
          }
          expect(open.finished).toBe(closed.finished)
        },
      ),
      { numRuns: 300 },
    )
  }, 60_000)

  it('keeps memory bounded by the window on long scans', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 20 }),
        (workers, credits) => {
          const json = {
            parts: {
              p: {
                a: Array.from({ length: 50 }, (_, i) =>
                  i % 7 === 0 ? [{}] : [{ constraint: i >> 1 }],
                ),
              },
            },
            sequence: Array.from({ length: 40 }, () => 'p'),
          }
          const a = new Assigner(compileScanPlan(parseSequence(json)), { lookaheadEvents: 200 })
          const names = Array.from({ length: workers }, (_, i) => w(`w${i}`))
          for (const n of names) a.addWorker(n)
          let peak = 0
          while (!a.finished) {
            for (const n of names) {
              a.complete(
                n,
                a.heldBy(n).filter(([s]) => s < a.releasedFrontier),
              )
              a.request(n, credits)
              const st = a.stats()
              peak = Math.max(
                peak,
                st.activeInstances * 50 + st.broadcastRecords + st.pendingBindings + st.heldRanges,
              )
            }
          }
          // 2,002 events; the window never holds more than a few parts' worth of state.
          expect(peak).toBeLessThan(600)
        },
      ),
      { numRuns: 30 },
    )
  })
})

/** Ops that drive any scan to its end: a worker with every tag joins, then rounds of work. */
function drain(ops: readonly Op[]): Op[] {
  const out: Op[] = [{ kind: 'add', worker: 9, tags: TAGS }]
  const workers = new Set([9, ...ops.map((o) => ('worker' in o ? o.worker : 9))])
  for (let round = 0; round < 30; round++) {
    for (const worker of workers) {
      out.push({ kind: 'complete', worker, share: 1 }, { kind: 'request', worker, credits: 3 })
    }
  }
  return out
}
