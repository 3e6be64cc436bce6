import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bitshuffleBlock, bitunshuffleBlock } from '../../../src/codec/bitshuffle.js'

/**
 * The definition, one bit at a time: row `8j + b` of the shuffled block holds bit `b` of
 * byte `j` of every element, element `e` at bit position `e` of the row (LSB first).
 */
function naiveBitshuffle(src: Uint8Array, count: number, size: number): Uint8Array {
  const rowBytes = count / 8
  const out = new Uint8Array(count * size)
  for (let e = 0; e < count; e++) {
    for (let j = 0; j < size; j++) {
      for (let b = 0; b < 8; b++) {
        const bit = (src[e * size + j]! >> b) & 1
        const at = (8 * j + b) * rowBytes + (e >> 3)
        out[at] = out[at]! | (bit << (e & 7))
      }
    }
  }
  return out
}

const blocks = fc
  .tuple(fc.integer({ min: 0, max: 40 }), fc.constantFrom(1, 2, 3, 4, 8, 12))
  .chain(([groups, size]) =>
    fc.record({
      count: fc.constant(groups * 8),
      size: fc.constant(size),
      data: fc.uint8Array({ minLength: groups * 8 * size, maxLength: groups * 8 * size }),
    }),
  )

describe('bitshuffleBlock / bitunshuffleBlock', () => {
  it('bitshuffleBlock matches the bit-by-bit definition', () => {
    fc.assert(
      fc.property(blocks, ({ count, size, data }) => {
        const out = new Uint8Array(data.length)
        bitshuffleBlock(data, 0, out, 0, count, size)
        expect(out).toEqual(naiveBitshuffle(data, count, size))
      }),
    )
  })

  it('bitunshuffleBlock inverts it, at any offsets', () => {
    fc.assert(
      fc.property(blocks, fc.nat(7), fc.nat(7), ({ count, size, data }, srcAt, dstAt) => {
        const shuffled = new Uint8Array(srcAt + data.length)
        shuffled.set(naiveBitshuffle(data, count, size), srcAt)
        const out = new Uint8Array(dstAt + data.length).fill(0x5a)
        bitunshuffleBlock(shuffled, srcAt, out, dstAt, count, size)
        expect(out.subarray(dstAt)).toEqual(data)
        expect(out.subarray(0, dstAt).every((b) => b === 0x5a)).toBe(true)
      }),
    )
  })

  it('the 4-byte word path (aligned, 32 elements a row word) agrees with the definition', () => {
    const words = fc
      .integer({ min: 1, max: 64 })
      .chain((rowWords) => fc.uint8Array({ minLength: rowWords * 128, maxLength: rowWords * 128 }))
    fc.assert(
      fc.property(words, fc.constantFrom(0, 4, 8), (data, at) => {
        const count = data.length / 4
        const shuffled = new Uint8Array(at + data.length)
        shuffled.set(naiveBitshuffle(data, count, 4), at)
        const out = new Uint8Array(at + data.length)
        bitunshuffleBlock(shuffled, at, out, at, count, 4)
        expect(Buffer.from(out.subarray(at)).equals(Buffer.from(data))).toBe(true)
      }),
      { numRuns: 50 },
    )
  })

  it('puts one set bit where the definition says', () => {
    // Element 9 of 16, 2-byte elements, value 0x0100: bit 0 of byte 1 -> row 8, byte 1, bit 1.
    const data = new Uint8Array(32)
    data[9 * 2 + 1] = 1
    const out = new Uint8Array(32)
    bitshuffleBlock(data, 0, out, 0, 16, 2)
    expect([...out.entries()].filter(([, b]) => b !== 0)).toEqual([[8 * 2 + 1, 0b10]])
  })

  it('rejects blocks that are not a multiple of 8 elements or do not fit', () => {
    const buf = new Uint8Array(64)
    expect(() => bitunshuffleBlock(buf, 0, buf, 0, 12, 1)).toThrow(RangeError)
    expect(() => bitunshuffleBlock(buf, 8, new Uint8Array(64), 0, 16, 4)).toThrow(RangeError)
    expect(() => bitshuffleBlock(buf, 0, new Uint8Array(8), 0, 16, 1)).toThrow(RangeError)
  })
})
