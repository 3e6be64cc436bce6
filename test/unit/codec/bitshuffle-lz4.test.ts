import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeBitshuffleLz4 } from '../../../src/codec/bitshuffle-lz4.js'
import { encodeBitshuffleLz4 } from '../../../src/codec/bitshuffle-lz4-encode.js'
import { readBitshuffleLz4Header } from '../../../src/codec/bitshuffle-lz4-header.js'
import { decompressLz4Block } from '../../../src/codec/lz4-block.js'
import { isBeamloomError } from '../../../src/errors.js'

/** Detector-like data: mostly small counts, a few large values, some structure. */
/** Byte equality that stays fast on megabytes (`toEqual` walks typed arrays slowly). */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length)
  const same = Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(
    Buffer.from(expected.buffer, expected.byteOffset, expected.length),
  )
  if (!same)
    expect(
      actual.findIndex((b, i) => b !== expected[i]),
      'first differing byte',
    ).toBe(-1)
}

function pixels(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length)
  let s = seed >>> 0 || 1
  for (let i = 0; i < length; i++) {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    out[i] = (s & 0xff) < 200 ? (s >>> 8) & 3 : (s >>> 16) & 0xff
  }
  return out
}

function header(totalBytes: number, blockBytes: number): Uint8Array {
  const out = new Uint8Array(12)
  const view = new DataView(out.buffer)
  view.setUint32(0, Math.floor(totalBytes / 2 ** 32))
  view.setUint32(4, totalBytes >>> 0)
  view.setUint32(8, blockBytes)
  return out
}

/** Byte offsets where each block of a blob ends, read from its length prefixes. */
function blockEnds(blob: Uint8Array, blocks: number): number[] {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength)
  const ends: number[] = []
  let pos = 12
  for (let i = 0; i < blocks; i++) {
    pos += 4 + view.getUint32(pos)
    ends.push(pos)
  }
  return ends
}

function expectDecodeFailed(fn: () => unknown): void {
  let thrown: unknown
  try {
    fn()
  } catch (err) {
    thrown = err
  }
  expect(isBeamloomError(thrown, 'DECODE_FAILED'), String(thrown)).toBe(true)
}

const cases = fc
  .record({
    elementSize: fc.constantFrom(1, 2, 3, 4, 8, 12),
    elements: fc.oneof(fc.nat(40), fc.nat(5000)),
    blockElements: fc.constantFrom(undefined, 8, 16, 24, 128, 512, 2048),
    seed: fc.nat(),
    random: fc.boolean(),
  })
  .chain((c) =>
    (c.random
      ? fc.uint8Array({
          minLength: c.elements * c.elementSize,
          maxLength: c.elements * c.elementSize,
        })
      : fc.constant(pixels(c.elements * c.elementSize, c.seed))
    ).map((data) => ({ ...c, data })),
  )

describe('encodeBitshuffleLz4 → decodeBitshuffleLz4', () => {
  it('round-trips any element size, length and block size', () => {
    fc.assert(
      fc.property(cases, ({ elementSize, blockElements, data }) => {
        const blob = encodeBitshuffleLz4(
          data,
          elementSize,
          blockElements === undefined ? {} : { blockElements },
        )
        const result = decodeBitshuffleLz4(blob, elementSize)
        expect(result.complete).toBe(true)
        expect(result.elementsDecoded).toBe(data.length / elementSize)
        expect(result.totalElements).toBe(data.length / elementSize)
        expectSameBytes(result.bytes, data)
      }),
      { numRuns: 300 },
    )
  })

  it('writes the header as the HDF5 filter does (block size in bytes, default 8 KiB)', () => {
    const blob = encodeBitshuffleLz4(new Uint8Array(40_000), 4)
    expect([...blob.subarray(0, 12)]).toEqual([...header(40_000, 8192)])
    expect(readBitshuffleLz4Header(blob, 4)).toEqual({
      totalBytes: 40_000,
      blockElements: 2048,
      totalElements: 10_000,
    })
  })

  it('reads block size 0 as bitshuffle’s default', () => {
    for (const elementSize of [1, 2, 3, 4, 8]) {
      const data = pixels(9_000 * elementSize, elementSize)
      const blob = encodeBitshuffleLz4(data, elementSize)
      blob.set([0, 0, 0, 0], 8)
      expectSameBytes(decodeBitshuffleLz4(blob, elementSize).bytes, data)
    }
    expect(readBitshuffleLz4Header(header(0, 0), 3).blockElements).toBe(2728)
    expect(readBitshuffleLz4Header(header(0, 0), 128).blockElements).toBe(128)
  })

  it('stores the last elements that do not fill 8 raw, after the blocks', () => {
    const data = Uint8Array.from({ length: 21 }, (_, i) => i + 1)
    const blob = encodeBitshuffleLz4(data, 1, { blockElements: 8 })
    // 2 blocks of 8, then 5 raw bytes.
    expect([...blob.subarray(blob.length - 5)]).toEqual([17, 18, 19, 20, 21])
    expect(blockEnds(blob, 2)[1]).toBe(blob.length - 5)
  })
})

describe('decodeBitshuffleLz4 on truncated blobs', () => {
  it('decodes exactly the whole blocks at every cut point', () => {
    const elementSize = 2
    const data = pixels(100 * elementSize, 7) // 6 blocks of 16 elements + 4 raw elements
    const blob = encodeBitshuffleLz4(data, elementSize, { blockElements: 16 })
    const ends = blockEnds(blob, 6)
    for (let cut = 0; cut <= blob.length; cut++) {
      const piece = blob.subarray(0, cut)
      if (cut < 12) {
        expectDecodeFailed(() => decodeBitshuffleLz4(piece, elementSize))
        continue
      }
      const result = decodeBitshuffleLz4(piece, elementSize)
      const wholeBlocks = ends.filter((end) => end <= cut).length
      const complete = cut === blob.length
      expect(result.complete).toBe(complete)
      expect(result.elementsDecoded).toBe(complete ? 100 : wholeBlocks * 16)
      expectSameBytes(result.bytes, data.subarray(0, result.elementsDecoded * elementSize))
    }
  })

  it('decodes a header-only blob to nothing', () => {
    const result = decodeBitshuffleLz4(header(4096, 0), 4)
    expect(result).toMatchObject({ complete: false, elementsDecoded: 0, totalElements: 1024 })
    expect(result.bytes.length).toBe(0)
  })

  it('treats an empty payload as complete', () => {
    expect(decodeBitshuffleLz4(header(0, 0), 4)).toMatchObject({
      complete: true,
      elementsDecoded: 0,
    })
  })
})

describe('decodeBitshuffleLz4 on bad input', () => {
  it('rejects bad headers with DECODE_FAILED', () => {
    expectDecodeFailed(() => decodeBitshuffleLz4(new Uint8Array(11), 4))
    expectDecodeFailed(() => decodeBitshuffleLz4(header(4098, 8192), 4)) // not whole elements
    expectDecodeFailed(() => decodeBitshuffleLz4(header(4096, 8200), 4)) // 2050: not a multiple of 8
    expectDecodeFailed(() => decodeBitshuffleLz4(header(4096, 8192), 3)) // not whole elements
    expectDecodeFailed(() => decodeBitshuffleLz4(header(4096, 8192), 4, { maxBytes: 4095 }))
    const huge = header(0, 0)
    huge.set([0xff, 0xff, 0xff, 0xff], 0)
    expectDecodeFailed(() => decodeBitshuffleLz4(huge, 4))
  })

  it('rejects a block that decompresses to the wrong size', () => {
    const blob = encodeBitshuffleLz4(new Uint8Array(64), 1, { blockElements: 32 })
    const half = encodeBitshuffleLz4(new Uint8Array(32), 1, { blockElements: 16 })
    // Declare 64 bytes in blocks of 32 but carry blocks of 16.
    half.set(blob.subarray(0, 12))
    expectDecodeFailed(() => decodeBitshuffleLz4(half, 1))
  })

  it('on corrupted bytes either decodes or throws DECODE_FAILED, never anything else', () => {
    const data = pixels(3000 * 4, 3)
    const blob = encodeBitshuffleLz4(data, 4, { blockElements: 256 })
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(blob.length - 13), fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (flips) => {
          const bad = blob.slice()
          for (const [at, mask] of flips) bad[12 + at]! ^= mask
          try {
            const result = decodeBitshuffleLz4(bad, 4)
            expect(result.bytes.length).toBe(result.elementsDecoded * 4)
          } catch (err) {
            expect(isBeamloomError(err, 'DECODE_FAILED'), String(err)).toBe(true)
          }
        },
      ),
      { numRuns: 500 },
    )
  })

  it('names the block when the LZ4 data is corrupt', () => {
    const blob = encodeBitshuffleLz4(new Uint8Array(64), 1, { blockElements: 32 })
    const second = blockEnds(blob, 1)[0]!
    blob[second + 4] = 0x0f // token: no literals, long match at the start of a block
    expect(() => decodeBitshuffleLz4(blob, 1)).toThrow(/block 1 \(blob byte \d+\)/)
  })
})

describe('decodeBitshuffleLz4 with a plugged-in LZ4', () => {
  const blob = encodeBitshuffleLz4(pixels(5000 * 4, 11), 4)

  it('calls the given decompressor once per block', () => {
    let calls = 0
    const result = decodeBitshuffleLz4(blob, 4, {
      decompressBlock: (src, dst, at, end) => {
        calls++
        return decompressLz4Block(src, dst, at, end)
      },
    })
    expect(calls).toBe(3) // 2048 + 2048 + 904 elements
    expect(result.complete).toBe(true)
  })

  it('reports its failures as DECODE_FAILED with the cause kept', () => {
    const boom = new Error('native lz4 says no')
    let thrown: unknown
    try {
      decodeBitshuffleLz4(blob, 4, {
        decompressBlock: () => {
          throw boom
        },
      })
    } catch (err) {
      thrown = err
    }
    expect(isBeamloomError(thrown, 'DECODE_FAILED')).toBe(true)
    expect(thrown).toHaveProperty('cause', boom)
    expectDecodeFailed(() => decodeBitshuffleLz4(blob, 4, { decompressBlock: () => 10 }))
  })
})
