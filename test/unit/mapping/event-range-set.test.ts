import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EventRangeSet } from '../../../src/mapping/index.js'

type Op = { kind: 'add'; at: number } | { kind: 'remove'; from: number; length: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), at: fc.nat(60) }),
  fc.record({ kind: fc.constant('remove' as const), from: fc.nat(60), length: fc.nat(12) }),
)

describe('EventRangeSet', () => {
  it('behaves like a set of numbers under any adds and range removals', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const set = new EventRangeSet()
        const model = new Set<number>()
        for (const o of ops) {
          if (o.kind === 'add') {
            expect(set.add(o.at)).toBe(!model.has(o.at))
            model.add(o.at)
          } else {
            let removed = 0
            for (let e = o.from; e < o.from + o.length; e++) if (model.delete(e)) removed++
            expect(set.removeRange(o.from, o.from + o.length)).toBe(removed)
          }
          const sorted = [...model].sort((a, b) => a - b)
          expect(set.toArray()).toEqual(sorted)
          expect(set.size).toBe(model.size)
          expect(set.first()).toBe(sorted[0] ?? Number.POSITIVE_INFINITY)
          // Ranges are disjoint and never adjacent: the representation is canonical.
          const ranges = set.ranges()
          for (let i = 1; i < ranges.length; i++) {
            expect(ranges[i]![0]).toBeGreaterThan(ranges[i - 1]![1])
          }
          for (let e = 0; e < 75; e++) expect(set.has(e)).toBe(model.has(e))
        }
      }),
    )
  })

  it('stores an appended run of events as one range', () => {
    const set = new EventRangeSet()
    for (let e = 0; e < 1000; e++) set.add(e)
    expect(set.ranges()).toEqual([[0, 1000]])
    expect(set.removeRange(0, 400)).toBe(400)
    expect(set.ranges()).toEqual([[400, 1000]])
  })
})
