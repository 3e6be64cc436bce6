import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FrameSlabs } from '../../../../src/internal.js'

describe('FrameSlabs', () => {
  it('hands out 64-byte aligned parts and reuses a slab once every part of it is back', () => {
    const slabs = new FrameSlabs({ slabBytes: 1024, maxFreeSlabs: 2 })
    const a = slabs.allocate(100)
    const b = slabs.allocate(10)
    expect(a.buffer).toBe(b.buffer)
    expect(b.byteOffset - a.byteOffset).toBe(128)
    expect(a.byteOffset % 64).toBe(0)
    // The slab is full for a 900-byte part: a second slab.
    const c = slabs.allocate(900)
    expect(c.buffer).not.toBe(a.buffer)
    expect(slabs.stats().slabsAllocated).toBe(2)
    expect(slabs.recycle(a)).toBe(true)
    expect(slabs.stats().freeSlabs).toBe(0)
    expect(slabs.recycle(b)).toBe(true)
    expect(slabs.stats().freeSlabs).toBe(1)
    const d = slabs.allocate(900)
    expect(d.buffer).toBe(a.buffer)
    expect(d.byteOffset).toBe(0)
    expect(slabs.stats()).toMatchObject({ slabsAllocated: 2, slabsReused: 1, partsRecycled: 2 })
  })

  it('ignores parts it did not hand out, parts handed back twice, and views of its parts', () => {
    const slabs = new FrameSlabs({ slabBytes: 256 })
    const a = slabs.allocate(64)
    const b = slabs.allocate(64)
    expect(slabs.recycle(Buffer.alloc(64))).toBe(false)
    expect(new FrameSlabs({ slabBytes: 256 }).recycle(a)).toBe(false)
    expect(slabs.recycle(Buffer.from(a))).toBe(false)
    expect(slabs.recycle(a.subarray(0, 10))).toBe(false)
    expect(slabs.recycle(a)).toBe(true)
    expect(slabs.recycle(a)).toBe(false)
    // b is still out: the slab is not reused, so b's bytes stay b's.
    b.fill(7)
    const c = slabs.allocate(64)
    expect(c.byteOffset).toBe(128)
    c.fill(9)
    expect(b.every((x) => x === 7)).toBe(true)
  })

  it('never reuses a slab holding a forgotten part', () => {
    const slabs = new FrameSlabs({ slabBytes: 128 })
    const kept = slabs.allocate(64)
    const other = slabs.allocate(64)
    slabs.forget(kept)
    expect(slabs.recycle(other)).toBe(true)
    expect(slabs.recycle(kept)).toBe(false)
    kept.fill(5)
    for (let i = 0; i < 8; i++) slabs.allocate(128).fill(1)
    expect(kept.every((x) => x === 5)).toBe(true)
  })

  it('gives a part larger than a slab memory of its own', () => {
    const slabs = new FrameSlabs({ slabBytes: 128 })
    const big = slabs.allocate(1000)
    expect(big.length).toBe(1000)
    expect(slabs.recycle(big)).toBe(false)
    expect(slabs.stats().oversizeParts).toBe(1)
    expect(slabs.allocate(0).length).toBe(0)
  })

  it('gives parts below smallPartBytes memory of their own, never a place in a slab', () => {
    const slabs = new FrameSlabs({ slabBytes: 4096, smallPartBytes: 1000 })
    const small = slabs.allocate(999)
    const large = slabs.allocate(1000)
    expect(small.length).toBe(999)
    expect(slabs.stats().slabsAllocated).toBe(1)
    // Only the large part holds the slab: handing it back empties the slab for reuse.
    expect(slabs.recycle(small)).toBe(false)
    expect(slabs.recycle(large)).toBe(true)
    const again = slabs.allocate(2000)
    expect(again.buffer).toBe(large.buffer)
    expect(again.byteOffset).toBe(large.byteOffset)
    expect(slabs.stats()).toMatchObject({ slabsAllocated: 1, partsRecycled: 1 })
  })

  it('refuses sizes that cannot work', () => {
    expect(() => new FrameSlabs({ slabBytes: 10 })).toThrow(RangeError)
    expect(() => new FrameSlabs({ maxFreeSlabs: -1 })).toThrow(RangeError)
  })

  it('never hands out memory of a part that is still out (any order of allocate and recycle)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 600 }), fc.constant(-1)), { maxLength: 200 }),
        fc.integer({ min: 0, max: 3 }),
        (ops, maxFreeSlabs) => {
          const slabs = new FrameSlabs({ slabBytes: 512, maxFreeSlabs })
          const out: { part: Buffer; fill: number }[] = []
          let fill = 0
          for (const op of ops) {
            if (op === -1) {
              const victim = out.shift()
              if (victim !== undefined) slabs.recycle(victim.part)
              continue
            }
            fill = (fill + 1) % 256
            const part = slabs.allocate(op)
            part.fill(fill)
            out.push({ part, fill })
            for (const o of out) expect(o.part.every((x) => x === o.fill)).toBe(true)
          }
        },
      ),
    )
  })
})
