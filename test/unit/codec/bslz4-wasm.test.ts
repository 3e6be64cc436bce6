import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeBitshuffleLz4 } from '../../../src/codec/bitshuffle-lz4.js'
import { encodeBitshuffleLz4 } from '../../../src/codec/bitshuffle-lz4-encode.js'
import { wasmBslz4 } from '../../../src/codec/wasm/bslz4-decoder.js'
import { BSLZ4_SOURCE_SHA256 } from '../../../src/codec/wasm/bslz4-wasm.js'
import { repoPath } from '../../harness/fixtures.js'

/** The outcome of one decode: the result's fields, or the error's class, code and message. */
function outcome(blob: Uint8Array, size: number, implementation: 'wasm' | 'ts'): unknown {
  try {
    const r = decodeBitshuffleLz4(blob, size, { implementation })
    return {
      bytes: Buffer.from(r.bytes).toString('base64'),
      complete: r.complete,
      elementsDecoded: r.elementsDecoded,
      totalElements: r.totalElements,
    }
  } catch (err) {
    const e = err as Error & { code?: string }
    return { error: e.constructor.name, code: e.code, message: e.message }
  }
}

/** Detector-like bytes: mostly small counts, some large, so blocks compress and vary. */
const detectorBytes = (length: number) =>
  fc.uint8Array({ minLength: length, maxLength: length }).map((noise) => {
    const out = new Uint8Array(length)
    for (let i = 0; i < length; i++)
      out[i] = (noise[i] ?? 0) < 200 ? (noise[i] ?? 0) & 3 : (noise[i] ?? 0)
    return out
  })

describe('the WebAssembly bitshuffle-LZ4 decoder', () => {
  it('is what decodes by default here (Node has WebAssembly with SIMD)', () => {
    expect(wasmBslz4()).toBeDefined()
  })

  it('is built from the bslz4.c in the tree (run scripts/build-wasm.sh after changing it)', () => {
    const source = readFileSync(repoPath('src/codec/wasm/bslz4.c'))
    expect(createHash('sha256').update(source).digest('hex')).toBe(BSLZ4_SOURCE_SHA256)
  })

  it('gives the same bytes as the TypeScript decoder for every element and block size', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 4, 8, 3, 16),
        fc.integer({ min: 0, max: 3000 }),
        fc.constantFrom(8, 16, 64, 136, 1024),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (size, elements, blockElements, seed) => {
          const raw = new Uint8Array(elements * size)
          let s = seed || 1
          for (let i = 0; i < raw.length; i++) {
            s = (s * 1103515245 + 12345) >>> 0
            raw[i] = s >>> 24 < 220 ? (s >>> 16) & 7 : s >>> 24
          }
          const blob = encodeBitshuffleLz4(raw, size, { blockElements })
          const wasm = outcome(blob, size, 'wasm')
          expect(wasm).toEqual(outcome(blob, size, 'ts'))
          expect((wasm as { bytes: string }).bytes).toBe(Buffer.from(raw).toString('base64'))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('agrees with the TypeScript decoder on truncated and corrupted blobs, errors included', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 4),
        detectorBytes(4096),
        fc.integer({ min: 0, max: 5000 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        (size, raw, cut, flips) => {
          const blob = encodeBitshuffleLz4(
            raw.subarray(0, raw.length - (raw.length % size)),
            size,
            {
              blockElements: 256,
            },
          )
          const bad = blob.slice(0, Math.max(12, blob.length - cut))
          for (const [at, value] of flips)
            if (bad.length > 12) bad[12 + (at % (bad.length - 12))] = value
          expect(outcome(bad, size, 'wasm')).toEqual(outcome(bad, size, 'ts'))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('decodes a 4 MiB uint32 detector frame, and one after it of another size, correctly', () => {
    for (const [pixels, size] of [
      [1 << 20, 4],
      [3000 * 1000, 2],
      [1 << 12, 4],
    ] as const) {
      const raw = new Uint8Array(pixels * size)
      for (let i = 0; i < raw.length; i += size) raw[i] = (i * 7919) % 13 === 0 ? 200 : i % 3
      const out = decodeBitshuffleLz4(encodeBitshuffleLz4(raw, size), size)
      expect(out.complete).toBe(true)
      expect(Buffer.from(out.bytes).equals(Buffer.from(raw))).toBe(true)
    }
  })
})
