import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseStream } from '../../../src/devices/parse-stream.js'
import { encodeStinsImage } from '../../../src/devices/stins/encode-stins.js'
import { isBeamloomError } from '../../../src/errors.js'

const TYPS = [
  'STINS',
  'EIGER_LEGACY',
  'EIGER_V2',
  'xspress',
  'PCAP',
  'PCAP_RAW',
  'contrast',
  'sardana',
  'albaem',
  'lecroy_9fwdWp6Rq7',
] as const

const text = (s: string) => new TextEncoder().encode(s)

/** Frames a device might send, or an attacker: random bytes, JSON, pickles' first bytes, CBOR. */
const frame = fc.oneof(
  fc.uint8Array({ maxLength: 256 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => text(JSON.stringify(v))),
  fc
    .record({
      htype: fc.constantFrom('header', 'image', 'series_end', 'dheader-1.0', 'dimage-1.0'),
      frame: fc.integer(),
      shape: fc.array(fc.integer({ min: -2, max: 1 << 20 }), { maxLength: 3 }),
      type: fc.constantFrom('uint16', 'uint32', 'float32', 'int8', 'bogus'),
      compression: fc.constantFrom('none', 'bslz4', 'lz4', 'bs32-lz4<'),
    })
    .map((v) => text(JSON.stringify(v))),
  fc.uint8Array({ maxLength: 64 }).map((b) => Uint8Array.from([0x80, 0x04, 0x95, ...b])),
  fc.uint8Array({ maxLength: 64 }).map((b) => Uint8Array.from([0xd9, 0xd9, 0xf7, ...b])),
)

/** A valid STINS image with a few bytes flipped. */
const mutatedStins = fc
  .tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }))
  .map(([flips]) => {
    const frames = encodeStinsImage({
      msgNumber: 1,
      frame: 1,
      shape: [4, 4],
      data: new Uint16Array(16),
    }).map((f) => Uint8Array.from(f))
    for (const [at, value] of flips) {
      const f = frames[at % frames.length]!
      if (f.length > 0) f[at % f.length] = value
    }
    return frames
  })

describe('device parsers under random and mutated input', () => {
  it('every parser answers a frame it cannot read with a beamloom error, never a crash', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TYPS),
        fc.oneof(fc.array(frame, { maxLength: 4 }), mutatedStins),
        (typ, frames) => {
          try {
            parseStream({ typ, frames }, 'fuzzed')
          } catch (err) {
            expect(isBeamloomError(err), `${typ}: ${String(err)}`).toBe(true)
          }
        },
      ),
      { numRuns: 3_000 },
    )
  })
})
