import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DedupSet } from '../../../reducer/dedup-set.js'

describe('DedupSet', () => {
  it('accepts an identity once; the same event with another slot is new', () => {
    const d = new DedupSet()
    expect(d.add(5, 0)).toBe(true)
    expect(d.add(5, 0)).toBe(false)
    expect(d.add(5, 1)).toBe(true)
    expect(d.add(5, 2)).toBe(true)
    expect(d.add(5, 1)).toBe(false)
    expect(d.has(5, 2)).toBe(true)
    expect(d.has(5, 3)).toBe(false)
    expect(d.size).toBe(1)
  })

  it('forgets events below the frontier and treats them as seen', () => {
    const d = new DedupSet()
    for (let e = 0; e < 10; e++) d.add(e, 0)
    expect(d.compactBelow(6)).toBe(6)
    expect(d.size).toBe(4)
    expect(d.floor).toBe(6)
    expect(d.add(3, 7)).toBe(false)
    expect(d.has(0, 99)).toBe(true)
    expect(d.add(6, 0)).toBe(false)
    expect(d.add(6, 1)).toBe(true)
    expect(d.compactBelow(2)).toBe(0)
    expect(d.floor).toBe(6)
  })

  it('asks for compaction when it doubled since the last one', () => {
    const d = new DedupSet({ minCompactSize: 4 })
    for (let e = 0; e < 3; e++) d.add(e, 0)
    expect(d.wantsCompaction).toBe(false)
    d.add(3, 0)
    expect(d.wantsCompaction).toBe(true)
    // The frontier did not move: the threshold doubles, so lookups get rarer.
    d.compactBelow(0)
    expect(d.wantsCompaction).toBe(false)
    for (let e = 4; e < 8; e++) d.add(e, 0)
    expect(d.wantsCompaction).toBe(true)
    d.compactBelow(8)
    expect(d.size).toBe(0)
    expect(d.wantsCompaction).toBe(false)
  })

  it('agrees with a model set, with compaction at any frontier', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), event: fc.nat(60), slot: fc.nat(4) }),
      fc.record({ kind: fc.constant('compact' as const), frontier: fc.nat(60) }),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const d = new DedupSet({ minCompactSize: 1 })
        const model = new Set<string>()
        let floor = 0
        for (const o of ops) {
          if (o.kind === 'compact') {
            floor = Math.max(floor, o.frontier)
            d.compactBelow(o.frontier)
            continue
          }
          const key = `${o.event}/${o.slot}`
          const fresh = o.event >= floor && !model.has(key)
          expect(d.add(o.event, o.slot)).toBe(fresh)
          model.add(key)
        }
        for (let e = 0; e < floor; e++) expect(d.has(e, 0)).toBe(true)
        expect(d.size).toBeLessThanOrEqual(new Set([...model].map((k) => k.split('/')[0])).size)
      }),
    )
  })
})
