import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type PooledMessage, SlabPool } from '../../../bench/zmtp/slab-pool.js'
import { pattern } from '../../harness/zmtp-bytes.js'

/** A message of parts of the given sizes, each filled with its own pattern; or undefined. */
function fill(pool: SlabPool, sizes: readonly number[], seed: number): PooledMessage | undefined {
  const m = pool.message()
  for (const [i, size] of sizes.entries()) {
    const view = pool.allocate(m, size)
    if (view === undefined) {
      m.release()
      return undefined
    }
    view.set(pattern(size, seed * 100 + i))
  }
  return m
}

/** Every part of `m` still holds what `fill` wrote. */
function intact(m: PooledMessage, sizes: readonly number[], seed: number): boolean {
  return m.parts.every((p, i) => p.equals(pattern(sizes[i]!, seed * 100 + i)))
}

/** No two parts of the held messages share a byte (all slabs are separate ArrayBuffers). */
function disjoint(held: readonly PooledMessage[]): boolean {
  const spans = held
    .flatMap((m) => m.parts)
    .filter((p) => p.length > 0)
    .map((p) => ({ buffer: p.buffer, start: p.byteOffset, end: p.byteOffset + p.length }))
  for (let i = 0; i < spans.length; i++) {
    for (let j = i + 1; j < spans.length; j++) {
      const a = spans[i]!
      const b = spans[j]!
      if (a.buffer === b.buffer && a.start < b.end && b.start < a.end) return false
    }
  }
  return true
}

describe('SlabPool', () => {
  it('hands out 64-byte aligned views of the requested size', () => {
    const pool = new SlabPool({ slabBytes: 4096, slabCount: 2 })
    const m = pool.message()
    const sizes = [1, 63, 64, 65, 0, 1000]
    for (const n of sizes) expect(pool.allocate(m, n)?.length).toBe(n)
    expect(m.parts.map((p) => p.length)).toEqual(sizes)
    for (const p of m.parts) if (p.length > 0) expect(p.byteOffset % 64).toBe(0)
    expect(pool.stats().heldBytes).toBe(64 + 64 + 64 + 128 + 1024)
    m.release()
    expect(pool.stats()).toMatchObject({ heldSlabs: 0, heldBytes: 0 })
  })

  it('reuses memory only after every message in a slab was released', () => {
    const pool = new SlabPool({ slabBytes: 1024, slabCount: 2 })
    const a = fill(pool, [512], 1)!
    const b = fill(pool, [512], 2)!
    // a and b fill the first slab, c the second.
    const c = fill(pool, [1024], 3)!
    expect(fill(pool, [64], 4)).toBeUndefined()
    a.release()
    // b still holds the first slab: nothing can go there yet.
    expect(fill(pool, [64], 5)).toBeUndefined()
    expect(intact(b, [512], 2) && intact(c, [1024], 3)).toBe(true)
    const memoryOfC = c.parts[0]!.buffer
    b.release()
    c.release()
    const d = fill(pool, [1024], 6)!
    expect(d.parts[0]!.buffer).toBe(memoryOfC)
    expect(intact(d, [1024], 6)).toBe(true)
  })

  it('never hands out held memory, whatever the order of allocations and releases', () => {
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('take' as const),
        sizes: fc.array(fc.oneof(fc.nat({ max: 300 }), fc.nat({ max: 2000 })), {
          minLength: 1,
          maxLength: 4,
        }),
      }),
      fc.record({ kind: fc.constant('release' as const), which: fc.nat() }),
    )
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), (steps) => {
        const pool = new SlabPool({ slabBytes: 4096, slabCount: 3 })
        const held: { m: PooledMessage; sizes: number[]; seed: number }[] = []
        steps.forEach((s, seed) => {
          if (s.kind === 'take') {
            const m = fill(pool, s.sizes, seed)
            if (m !== undefined) held.push({ m, sizes: s.sizes, seed })
          } else if (held.length > 0) {
            held.splice(s.which % held.length, 1)[0]!.m.release()
          }
          for (const h of held) if (!intact(h.m, h.sizes, h.seed)) throw new Error('overwritten')
          if (!disjoint(held.map((h) => h.m))) throw new Error('handed out twice')
        })
        for (const h of held) h.m.release()
        expect(pool.stats()).toMatchObject({ heldSlabs: 0, heldBytes: 0 })
      }),
    )
  })

  it('refuses a second release, and empties the parts on the first', () => {
    const pool = new SlabPool({ slabBytes: 1024, slabCount: 1 })
    const m = fill(pool, [10, 20], 1)!
    m.release()
    expect(m.parts).toEqual([])
    expect(m.released).toBe(true)
    expect(() => m.release()).toThrow(expect.objectContaining({ code: 'ZMTP_STATE' }))
    expect(pool.stats().heldBytes).toBe(0)
  })

  it('refuses a part larger than a slab', () => {
    const pool = new SlabPool({ slabBytes: 1024, slabCount: 4 })
    expect(() => pool.allocate(pool.message(), 1025)).toThrow(
      expect.objectContaining({ code: 'ZMTP_TOO_LARGE' }),
    )
  })

  it('calls whenSpace after a release, outside release() itself', async () => {
    const pool = new SlabPool({ slabBytes: 1024, slabCount: 1 })
    const m = fill(pool, [1024], 1)!
    expect(fill(pool, [1], 2)).toBeUndefined()
    let called = 0
    pool.whenSpace(() => called++)
    m.release()
    expect(called).toBe(0)
    await expect.poll(() => called).toBe(1)
    expect(fill(pool, [1024], 3)).toBeDefined()
  })
})
