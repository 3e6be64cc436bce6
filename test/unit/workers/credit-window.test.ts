import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CreditWindow } from '../../../workers/credit-window.js'

describe('CreditWindow', () => {
  it('asks for the whole window first, then half of it each time half is freed', () => {
    const w = new CreditWindow(64)
    expect(w.initial()).toBe(64)
    const requests: number[] = []
    for (let i = 0; i < 200; i++) {
      const c = w.free(1)
      if (c > 0) requests.push(c)
    }
    expect(requests).toEqual([32, 32, 32, 32, 32, 32])
    expect(w.freed).toBe(8)
    expect(w.requested).toBe(64 + 192)
  })

  it('frees in bulk (events routed away) ask for everything freed', () => {
    const w = new CreditWindow(10)
    expect(w.free(3)).toBe(0)
    expect(w.free(9)).toBe(12)
    expect(w.free(0)).toBe(0)
  })

  it('a window of 1 asks per event; a bad window is refused', () => {
    const w = new CreditWindow(1)
    expect(w.free(1)).toBe(1)
    expect(() => new CreditWindow(0)).toThrow(RangeError)
  })

  it('property: credits requested never exceed window + freed, and lag by less than the threshold', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.integer({ min: 0, max: 50 })),
        (win, frees) => {
          const w = new CreditWindow(win)
          let total = w.initial()
          let freed = 0
          for (const f of frees) {
            total += w.free(f)
            freed += f
            expect(total).toBeLessThanOrEqual(win + freed)
            expect(win + freed - total).toBeLessThan(w.threshold)
          }
        },
      ),
    )
  })
})
