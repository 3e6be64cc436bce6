import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Hdf5Cursor } from '../../../../src/codec/hdf5/hdf5-cursor.js'
import {
  parseDataspace,
  parseFillValue,
  parseFilterPipeline,
  parseLayout,
  parseNumericType,
} from '../../../../src/codec/hdf5/hdf5-dataset-messages.js'
import {
  decodeChunk,
  FILTER_BITSHUFFLE,
  FILTER_DEFLATE,
  FILTER_FLETCHER32,
  FILTER_LZ4,
  FILTER_SHUFFLE,
  fletcher32,
} from '../../../../src/codec/hdf5/hdf5-filters.js'
import { isBeamloomError } from '../../../../src/internal.js'

const sizes = { offsetSize: 8, lengthSize: 8 }

/** Runs `f`; a failure must be one of ours (never a RangeError or a TypeError). */
function onlyOurErrors(f: () => unknown): void {
  try {
    f()
  } catch (err) {
    expect(isBeamloomError(err), String(err)).toBe(true)
  }
}

describe('HDF5 structures from hostile bytes', () => {
  it('header message parsers give a value or one of our errors, never read out of bounds', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), (bytes) => {
        onlyOurErrors(() => parseDataspace(bytes, sizes, 'fuzz'))
        onlyOurErrors(() => parseNumericType(bytes, sizes, 'fuzz'))
        onlyOurErrors(() => parseFilterPipeline(bytes, sizes, 'fuzz'))
        onlyOurErrors(() => parseFillValue(bytes, sizes, 'fuzz', false))
        onlyOurErrors(() => parseFillValue(bytes, sizes, 'fuzz', true))
        onlyOurErrors(() => parseLayout(bytes, sizes, 'fuzz'))
      }),
      { numRuns: 2000 },
    )
  })

  it('the cursor refuses values beyond 2^53 and reads the undefined address as undefined', () => {
    const big = new Hdf5Cursor(new Uint8Array(8).fill(0xfe), sizes, 'big')
    expect(() => big.uint(8)).toThrow(/too large/)
    expect(new Hdf5Cursor(new Uint8Array(8).fill(0xff), sizes, 'undef').address()).toBeUndefined()
    expect(() => new Hdf5Cursor(new Uint8Array(3), sizes, 'short').u32()).toThrow(/needs 4/)
  })

  it('every filter decodes garbage to a clean DECODE_FAILED, never to a wrong-sized chunk', () => {
    const pipelines = [
      [{ id: FILTER_DEFLATE, name: '', flags: 0, cdValues: [4] }],
      [{ id: FILTER_LZ4, name: '', flags: 0, cdValues: [0] }],
      [{ id: FILTER_BITSHUFFLE, name: '', flags: 0, cdValues: [0, 3, 2, 0, 2] }],
      [{ id: FILTER_BITSHUFFLE, name: '', flags: 0, cdValues: [0, 3, 2, 0, 0] }],
      [
        { id: FILTER_SHUFFLE, name: '', flags: 0, cdValues: [2] },
        { id: FILTER_FLETCHER32, name: '', flags: 0, cdValues: [] },
      ],
    ]
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 4 }), (bytes, p) => {
        try {
          const out = decodeChunk(bytes, pipelines[p]!, 0, 64, 2, 'fuzz')
          expect(out.length).toBe(64)
        } catch (err) {
          expect(isBeamloomError(err, 'DECODE_FAILED'), String(err)).toBe(true)
        }
      }),
      { numRuns: 2000 },
    )
  })

  it("computes HDF5's Fletcher-32 (reference values of the algorithm)", () => {
    // Fletcher-32 over 16-bit big-endian words: "abcde" is 0x6162 0x6364 0x6500.
    const sum = (s: string) => fletcher32(new TextEncoder().encode(s))
    let a = 0
    let b = 0
    for (const w of [0x6162, 0x6364, 0x6500]) {
      a = (a + w) % 0xffff
      b = (b + a) % 0xffff
    }
    expect(sum('abcde')).toBe(((b << 16) | a) >>> 0)
    expect(sum('')).toBe(0)
  })
})
