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

  it('doubles the window, up to the maximum, while each half is freed within growWithinMs', () => {
    const w = new CreditWindow(8, { maxWindowEvents: 32, growWithinMs: 50 })
    expect(w.initial(0)).toBe(8)
    // Half (4) freed 10 ms later: the 4 freed plus 8 of growth.
    expect(w.free(4, 10)).toBe(4 + 8)
    expect(w.windowEvents).toBe(16)
    // Now half is 8; freed within 50 ms again: 8 plus 16 of growth, the window is at 32.
    expect(w.free(7, 20)).toBe(0)
    expect(w.free(1, 20)).toBe(8 + 16)
    expect(w.windowEvents).toBe(32)
    // At the maximum: only what was freed.
    expect(w.free(16, 30)).toBe(16)
    expect(w.windowEvents).toBe(32)
    expect(w.requested).toBe(8 + 12 + 24 + 16)
  })

  it('keeps the window when a half took longer than growWithinMs, or without a clock', () => {
    const slow = new CreditWindow(8, { maxWindowEvents: 64, growWithinMs: 50 })
    slow.initial(0)
    expect(slow.free(4, 50)).toBe(4)
    expect(slow.free(4, 200)).toBe(4)
    expect(slow.windowEvents).toBe(8)
    const clockless = new CreditWindow(8, { maxWindowEvents: 64 })
    clockless.initial()
    expect(clockless.free(4)).toBe(4)
    expect(clockless.windowEvents).toBe(8)
  })

  it('property: with growth, credits outstanding never exceed the current window (≤ the maximum)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 512 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 100 }))),
        (win, max, steps) => {
          const w = new CreditWindow(win, { maxWindowEvents: max, growWithinMs: 50 })
          let total = w.initial(0)
          let freed = 0
          let now = 0
          for (const [f, dt] of steps) {
            now += dt
            total += w.free(f, now)
            freed += f
            expect(total - freed).toBeLessThanOrEqual(w.windowEvents)
            expect(w.windowEvents).toBeLessThanOrEqual(Math.max(win, max))
          }
        },
      ),
    )
  })
})
