import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decompressLz4Block } from '../../../src/codec/lz4-block.js'
import { compressLz4Block, lz4BlockBound } from '../../../src/codec/lz4-block-compress.js'
import { isBeamloomError } from '../../../src/errors.js'

// Blocks made by the reference LZ4 (the `lz4` 1.9 command line tool), cut out of its frames.
const REFERENCE_TEXT =
  'beamloom beamloom beamloom! aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ' +
  '0123456789abcdef0123456789abcdef0123456789abcdef xyz the end.'
const REFERENCE_TEXT_BLOCK = Buffer.from(
  '9d6265616d6c6f6f6d2009003f212061010020ff02203031323334353637383961626364656610000dd0207879' +
    '7a2074686520656e642e',
  'hex',
)
/** Input of the second reference block: 3000 bytes from a formula (see `patternInput`). */
const REFERENCE_PATTERN_SHA256 = '3c9787901297548ca6e0708ca2feca050afb3f896761d37b155eedfad84d2ce6'
const REFERENCE_PATTERN_BLOCK = Buffer.from(
  'FwABAP//JwEBAQECAgICAwMDBAQEBQUGBgcHCAgJCQoKCwsMDQ0ODw8QERISExQVFRYXGBkaGxwdHh8gISIjJCUmJygpKistLi8wMjM0NTc4OTs8PT9AQkNFRkhJS0xOT1FSVFZXWVtcXmBiY2VnaWpsbnBydHZ4enx+gIKEhoiKjI6QkpSWmZudn6Kkpqirra+ytLa5u77Aw8XIys3P0tTX2dzf4eTn6ezv8vT3+v3/AgUICw4RFBcaHSAjJiksLzI1ODs+QUVIS05SVVhbX2JlaWxvc3Z6fYGEiIuPkpaZnaCkqKuvs7a6vsLFyc3R1Njc4OTo7PD0+PwABAgMEBQYHCAkKCwxNTk9QkZKTlNXW2BkaG1xdnp/g4iMkZWanqOnrLG1uhIAAwYJDA8SAAMGCQwPEgADBgkMDxUA/wX//x78BQ8YIis1PkhRW2Rud4GKlJ6nsbvEztji6/X/CRIcJjA6RE5YYmx2gIqUnqiyvMbQ2uTu+QMNFyIsNkBLVV9qdH6Jk56os73I0t3n8vwHERwnMTxHUVxncnyHkp2nsr3I097p9P8KFSArNkFMV2JteIOOmaWwu8bS3ejz/woVISw3Q05aZXF8iJOfqrbBzdjk8PsHEx4qNkJNWWVxfIiUoKy4xNDc6PQADBgkMDxIVGBseISRnam1ws7a5vP/CxgkMD1JVmJve4iUoa26xtPf7PkFEh8rOEVSXmt4hZGeq7jF0t/s+QYTIC06R1RhbnuIlaKvvcrX5PL/DBknNEFPXGl3hJKfrbrI1ePw/gsZJjRCT11reIaUoq+9y9nm9AIQHiw6SFZkcoCOnKpMAv8OCGQD8JvyBBcqPU9idYibrsHU5/oNIDNGWWx/kqW4y97xBRgrPlJleIufssXZ7P8TJjpNYXSIm6/C1un9ECQ4S19zhpquwtXp/REkOExgdIicsMTY7AAUKDxQZHiMoLTI3PEFGS1CVmp+k6e70OT4DSE2Sl9ziJyxxdruAxcsQVVqf5OovdLm+xAlOU5jeI2it8zh9gsgNUpfdImes8jd8gcdMkdccoecscfc8QccMQwA/2+dssjd8wgeM0ledIqftcvg9gwiN01jeY6kutDm/BIoPlRqgJaswtjuBBowRlxyiZ+1y+L4DiQ7UWd+lKrB1+4EGzFIXnWLorjP5fwTKUBXbYSbssjf9g0jOlFof5atxNvyCSA3TmV8k6rB2O8GHTVMY3qSqcDX7wYdNUxje5KfBP8JCFMCAQ4A8Afg/Bg0UW2JpcLe+hYzT2uIpMDd+RYyCQAgwd0SAPT9bImlwt/7GDVSbouoxeH+GzhVco+syeYDID1ad5SxzusIJUJffZq31PIPLElnhKG/3PkXNFJvjarI5QMgPlt5lrTS7w0rSGaEor/d+xk2VHKQrszqCCZEYoCevNr4FjRScI6syukHJUNigJ682/kXNlRyka/O7AspSGaFo8Lg/x08W3mYt9X0EzJQb46ty+oJKEdmhaTD4gEgP159nLva+Rg3VnWVtNPyEjFQb4+uze0MK0tqiqnJ6AgnR2aGpcXkBCRDY4OiwuICIUFhgaDA4AAgQGCAoMDgACBAYICgwOAAIEBggaHB4QIiQmKDo8PkBCRFZYamx+cIKElpiqrL6wwtTW6Pr9DxEjJTdDQBDwcA/xLwGcjtEzheg6nO9Bo/ZYuw1vwiR22Tud4EKlB2nMLoDjRagKbM8hg+ZIobAPAHSW+Vu+IILlR7ocfuFDphh67U+yFIbhQA8C8vVXyjyfAXPWSLstj/Jk1zmsHoDzZdhKvS+SBHbpW84woxWH+mzfUcQ2qSueAHL1Z9pczzG0JqkbngCC9XfhoA/ZVEbJO74woyWoKp0fkhSHCYwOgQOGCIsNgAKFB4oMjwGEBokLjhCTFZgqrS+iNLc5zE7BU9Zo633wgwWYGq0vsjTHWdxu8XQGmSuuMMNV2Gr9gBKlN8pc73IElym8TtFj9okbrjDTZfiLLbBC1XgKnT/CVPeKLL9R5IcZvE7hdBapS+5xE7ZI644gs1X4my3AYwWoSu2AIsVoCq1P4oUnym0PokTpUDD2EC/wRQEgADBgk=',
  'base64',
)

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

function patternInput(): Uint8Array {
  const out = new Uint8Array(3000)
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.floor(i / 300) % 2 === 0 ? ((i * i) >> 7) & 0xff : (i % 7) * 3
  }
  return out
}

function roundTrip(input: Uint8Array): Uint8Array {
  const compressed = new Uint8Array(lz4BlockBound(input.length))
  const n = compressLz4Block(input, compressed, 0)
  const out = new Uint8Array(input.length)
  expect(decompressLz4Block(compressed.subarray(0, n), out, 0, out.length)).toBe(input.length)
  return out
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

describe('decompressLz4Block', () => {
  it('decodes a block from the reference LZ4 (overlapping matches, long lengths)', () => {
    const out = new Uint8Array(REFERENCE_TEXT.length)
    expect(decompressLz4Block(REFERENCE_TEXT_BLOCK, out)).toBe(REFERENCE_TEXT.length)
    expect(Buffer.from(out).toString('latin1')).toBe(REFERENCE_TEXT)
  })

  it('decodes a larger block from the reference LZ4', () => {
    const input = patternInput()
    expect(createHash('sha256').update(input).digest('hex')).toBe(REFERENCE_PATTERN_SHA256)
    const out = new Uint8Array(input.length)
    expect(decompressLz4Block(REFERENCE_PATTERN_BLOCK, out)).toBe(input.length)
    expectSameBytes(out, input)
  })

  it('writes at an offset and never before it or past dstEnd', () => {
    const out = new Uint8Array(REFERENCE_TEXT.length + 20).fill(0xee)
    expect(decompressLz4Block(REFERENCE_TEXT_BLOCK, out, 10, 10 + REFERENCE_TEXT.length)).toBe(
      REFERENCE_TEXT.length,
    )
    expect(out.subarray(0, 10).every((b) => b === 0xee)).toBe(true)
    expect(out.subarray(10 + REFERENCE_TEXT.length).every((b) => b === 0xee)).toBe(true)
  })

  it('decodes an empty block (a lone zero token)', () => {
    expect(decompressLz4Block(Uint8Array.of(0), new Uint8Array(0))).toBe(0)
  })

  it.each([
    ['an empty input', [], 4],
    ['a literal run past the end of input', [0x50, 1, 2], 8],
    ['a cut literal-length extension', [0xf0], 32],
    ['a cut match offset', [0x10, 65, 1], 8],
    ['a zero match offset', [0x10, 65, 0, 0, 0x00], 8],
    ['an offset before the output start', [0x10, 65, 2, 0, 0x00], 8],
    ['a match that overruns the output', [0x1f, 65, 1, 0, 200, 0x00], 16],
    ['literals that overrun the output', [0x40, 1, 2, 3, 4], 3],
    ['a block that ends after a match', [0x10, 65, 1, 0], 8],
    ['a cut match-length extension', [0x1f, 65, 1, 0], 64],
  ])('rejects %s with DECODE_FAILED', (_what, bytes, capacity) => {
    expectDecodeFailed(() => decompressLz4Block(Uint8Array.from(bytes), new Uint8Array(capacity)))
  })

  it('rejects an output range outside the buffer', () => {
    expectDecodeFailed(() => decompressLz4Block(Uint8Array.of(0), new Uint8Array(4), 5, 4))
    expectDecodeFailed(() => decompressLz4Block(Uint8Array.of(0), new Uint8Array(4), 0, 5))
    expectDecodeFailed(() => decompressLz4Block(Uint8Array.of(0), new Uint8Array(4), -1, 4))
  })

  it('never reaches back before dstOffset even when earlier bytes exist', () => {
    const out = new Uint8Array(16)
    // One literal, then a match at offset 2: would read out[9] if it ignored dstOffset 10.
    expectDecodeFailed(() => decompressLz4Block(Uint8Array.of(0x10, 65, 2, 0, 0x00), out, 10, 16))
  })

  it('on random bytes either decodes or throws DECODE_FAILED, writing only inside its range', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(48), (src, capacity) => {
        const out = new Uint8Array(capacity + 8).fill(0xa5)
        try {
          const n = decompressLz4Block(src, out, 4, 4 + capacity)
          expect(n).toBeLessThanOrEqual(capacity)
        } catch (err) {
          expect(isBeamloomError(err, 'DECODE_FAILED')).toBe(true)
        }
        expect(out.subarray(0, 4).every((b) => b === 0xa5)).toBe(true)
        expect(out.subarray(4 + capacity).every((b) => b === 0xa5)).toBe(true)
      }),
      { numRuns: 2000 },
    )
  })
})

describe('compressLz4Block', () => {
  it('round-trips random and repetitive data', () => {
    const repetitive = fc
      .tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.nat(300))
      .map(([unit, times]) => {
        const out = new Uint8Array(unit.length * times)
        for (let i = 0; i < times; i++) out.set(unit, i * unit.length)
        return out
      })
    const sparse = fc
      .array(fc.tuple(fc.nat(4000), fc.integer({ min: 1, max: 255 })), { maxLength: 50 })
      .map((hits) => {
        const out = new Uint8Array(4000)
        for (const [at, value] of hits) out[at] = value
        return out
      })
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 3000 }), repetitive, sparse), (input) => {
        expectSameBytes(roundTrip(input), input)
      }),
      { numRuns: 300 },
    )
  })

  it('round-trips the reference inputs and stays within lz4BlockBound', () => {
    const text = new TextEncoder().encode(REFERENCE_TEXT)
    expectSameBytes(roundTrip(text), text)
    expectSameBytes(roundTrip(patternInput()), patternInput())
    const noise = new Uint8Array(70_000).map((_, i) => (Math.imul(i, 2_654_435_761) >>> 13) & 255)
    expectSameBytes(roundTrip(noise), noise)
  })

  it('compresses long runs well', () => {
    const zeros = new Uint8Array(8192)
    const out = new Uint8Array(lz4BlockBound(zeros.length))
    expect(compressLz4Block(zeros, out, 0)).toBeLessThan(64)
  })
})
