import { decode } from 'cbor-x'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CBOR_MAJOR, CborPartsBuilder, concatParts } from '../../../src/codec/cbor-parts-builder.js'

const boundaries = [
  0,
  23,
  24,
  255,
  256,
  65_535,
  65_536,
  2 ** 32 - 1,
  2 ** 32,
  Number.MAX_SAFE_INTEGER,
]

describe('CborPartsBuilder', () => {
  it('writes integers with the shortest head at every size boundary', () => {
    for (const n of boundaries) {
      const bytes = concatParts(new CborPartsBuilder().uint(n).finish())
      expect(decode(bytes)).toBe(n > 2 ** 32 - 1 ? BigInt(n) : n)
      const headBytes = n < 24 ? 1 : n < 256 ? 2 : n < 65_536 ? 3 : n < 2 ** 32 ? 5 : 9
      expect(bytes.length).toBe(headBytes)
    }
  })

  it('refuses arguments that are not non-negative safe integers', () => {
    for (const n of [-1, 1.5, 2 ** 53, Number.NaN]) {
      expect(() => new CborPartsBuilder().uint(n)).toThrow(RangeError)
    }
  })

  it('encodes arrays of text and byte strings that cbor-x decodes back', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string({ unit: 'grapheme', maxLength: 3000 }),
            fc.uint8Array({ maxLength: 10_000 }),
          ),
        ),
        (values) => {
          const out = new CborPartsBuilder().head(CBOR_MAJOR.array, values.length)
          for (const v of values) typeof v === 'string' ? out.text(v) : out.bytes(v)
          const back: unknown = decode(concatParts(out.finish()))
          expect(Array.isArray(back)).toBe(true)
          if (!Array.isArray(back)) return
          expect(
            back.map((v: unknown) =>
              v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v,
            ),
          ).toEqual(values.map((v) => (typeof v === 'string' ? v : Buffer.from(v).toString('hex'))))
        },
      ),
    )
  })

  it('references large byte strings instead of copying them, keeping their view', () => {
    const backing = new Uint8Array(20_000).fill(7)
    const view = backing.subarray(100, 10_100)
    const parts = new CborPartsBuilder()
      .tag(42878)
      .bytes(Uint8Array.of(1))
      .bytes(view)
      .uint(5)
      .finish()
    expect(parts).toHaveLength(3)
    expect(parts[1]).toBe(view)
    expect(Buffer.from(parts[0] ?? []).toString('hex')).toBe('d9a77e4101592710')
    expect(Buffer.from(parts[2] ?? []).toString('hex')).toBe('05')
  })
})
