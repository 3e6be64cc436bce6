import { describe, expect, it } from 'vitest'
import { decodePayload, encodePayload } from '../../../src/internal.js'

/** `depth` nested `{ next: … }` objects with `leaf` at the bottom. */
function chain(depth: number, leaf: unknown): Record<string, unknown> {
  let node: Record<string, unknown> = { leaf }
  for (let i = 1; i < depth; i++) node = { next: node }
  return node
}

describe('what a result payload may not hold', () => {
  it('names the path through maps, arrays and objects to a function or symbol', () => {
    const value = { rois: [1, { m: new Map<unknown, unknown>([[7, { f: Symbol('x') }]]) }] }
    expect(() => encodePayload(value)).toThrow('result has a symbol at rois[1].m[7].f')
    expect(() => encodePayload([0, [() => 1]])).toThrow('result has a function at [1][0]')
    expect(() => encodePayload(() => 1)).toThrow('result has a function at (root)')
  })

  it('finds a cycle at any depth, and allows one object reached twice without a cycle', () => {
    const deep = chain(100, 1)
    let bottom = deep
    let middle = deep
    for (let i = 1; i < 100; i++) {
      bottom = bottom.next as Record<string, unknown>
      // Back to level 51: deeper than the levels searched one by one.
      if (i === 50) middle = bottom
    }
    bottom.back = middle
    expect(() => encodePayload(deep)).toThrow(
      `result has a cycle at ${Array(99).fill('next').join('.')}.back`,
    )
    const deepShared = chain(60, 1)
    let b60 = deepShared
    for (let i = 1; i < 60; i++) b60 = b60.next as Record<string, unknown>
    const shared = { n: 1 }
    b60.x = shared
    b60.y = [shared, shared]
    const decoded = decodePayload(encodePayload(deepShared)) as Record<string, unknown>
    let d = decoded
    for (let i = 1; i < 60; i++) d = d.next as Record<string, unknown>
    expect(d).toEqual({ leaf: 1, x: { n: 1 }, y: [{ n: 1 }, { n: 1 }] })
  })

  it('checks each payload afresh after one was refused', () => {
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic.self = cyclic
    expect(() => encodePayload(cyclic)).toThrow('result has a cycle at self')
    const fine = { a: { b: [1, 2] } }
    expect(decodePayload(encodePayload([fine, fine]))).toEqual([fine, fine])
  })
})
