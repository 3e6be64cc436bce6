import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RouteBook } from '../../../ingesters/base/route-book.js'
import { w } from './plan-fixtures.js'

describe('RouteBook', () => {
  it('looks up appended runs and overwrites a middle range', () => {
    const book = new RouteBook()
    book.set(0, 10, [w('a')])
    book.set(10, 20, null)
    book.set(5, 15, [w('b')])
    expect(book.get(4)).toEqual(['a'])
    expect(book.get(5)).toEqual(['b'])
    expect(book.get(14)).toEqual(['b'])
    expect(book.get(15)).toBeNull()
    expect(book.get(20)).toBeUndefined()
    book.prune(15)
    expect(book.get(4)).toBeUndefined()
    expect(book.get(16)).toBeNull()
  })

  it('agrees with a per-event model under random writes (property)', () => {
    const write = fc.record({
      from: fc.integer({ min: 0, max: 40 }),
      length: fc.integer({ min: 0, max: 15 }),
      value: fc.constantFrom('a', 'b', 'c', null),
    })
    fc.assert(
      fc.property(
        fc.array(write, { maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 60 })),
        (writes, reads) => {
          const book = new RouteBook()
          const model = new Map<number, string | null>()
          for (const { from, length, value } of writes) {
            book.set(from, from + length, value === null ? null : [w(value)])
            for (let e = from; e < from + length; e++) model.set(e, value)
          }
          for (const e of [...reads, ...reads.slice().reverse()]) {
            const got = book.get(e)
            const want = model.get(e)
            expect(got === undefined ? undefined : got === null ? null : got[0]).toBe(want)
          }
        },
      ),
    )
  })
})
