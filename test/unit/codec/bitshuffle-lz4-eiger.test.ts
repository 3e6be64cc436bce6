import { readFileSync } from 'node:fs'
import { decodeMultiple } from 'cbor-x'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { bitshuffleBlock } from '../../../src/codec/bitshuffle.js'
import { decodeBitshuffleLz4 } from '../../../src/codec/bitshuffle-lz4.js'
import { encodeBitshuffleLz4 } from '../../../src/codec/bitshuffle-lz4-encode.js'
import { decompressLz4Block } from '../../../src/codec/lz4-block.js'
import { parseDtype, viewAs } from '../../../src/devices/dtype.js'

// Eiger Stream V1 raw capture from a MAX IV beamline (see ../shared/fixtures/README.md):
// each CBOR item is the list of zmq parts of one message. Image blobs are cut to 20,000 bytes.
const FIXTURE = new URL('../../../../shared/fixtures/eiger-small.cbors', import.meta.url)

const RawCapture = z.array(z.array(z.instanceof(Uint8Array)))
const DImageD = z.object({
  htype: z.literal('dimage_d-1.0'),
  shape: z.tuple([z.number(), z.number()]),
  type: z.literal('uint32'),
  encoding: z.literal('bs32-lz4<'),
})

interface EigerImage {
  readonly info: z.infer<typeof DImageD>
  readonly blob: Uint8Array
}

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

function tryJson(part: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(part).toString('utf8'))
  } catch {
    return undefined // binary part (flatfield, mask, blob): not a JSON header
  }
}

/** The `dimage_d-1.0` header and the blob after it, of every image message. */
function loadImages(): EigerImage[] {
  const messages = RawCapture.parse(decodeMultiple(readFileSync(FIXTURE)))
  return messages.flatMap((parts) => {
    const info = parts[1] === undefined ? undefined : DImageD.safeParse(tryJson(parts[1]))
    const blob = parts[2]
    return info?.success && blob !== undefined ? [{ info: info.data, blob }] : []
  })
}

/** Saturated (dead or gap) pixels and the sum of the others. */
function summarize(pixels: Uint32Array): { saturated: number; sum: number } {
  let saturated = 0
  let sum = 0
  for (const value of pixels) {
    if (value === 0xffff_ffff) saturated++
    else sum += value
  }
  return { saturated, sum }
}

describe('decodeBitshuffleLz4 on the Eiger capture (bs32-lz4<)', () => {
  const images = loadImages()

  it('finds three truncated uint32 images', () => {
    expect(images).toHaveLength(3)
    for (const { info, blob } of images) {
      expect(info.shape).toEqual([3108, 3262])
      expect(blob.length).toBe(20_000)
    }
  })

  it('stops at the last whole block: 123 blocks = 251,904 pixels', () => {
    for (const { info, blob } of images) {
      const result = decodeBitshuffleLz4(blob, 4)
      expect(result.complete).toBe(false)
      expect(result.totalElements).toBe(info.shape[0] * info.shape[1])
      expect(result.elementsDecoded).toBe(251_904)
      expect(result.elementsDecoded / 2048).toBe(123)
      expect(result.bytes.length).toBe(251_904 * 4)
    }
  })

  it('decodes the pixel values the README states', () => {
    const summaries = images.map(({ blob }) => {
      const pixels = viewAs(decodeBitshuffleLz4(blob, 4).bytes, parseDtype('uint32'))
      expect(pixels).toBeInstanceOf(Uint32Array)
      return pixels instanceof Uint32Array ? summarize(pixels) : undefined
    })
    expect(summaries[0]).toEqual({ saturated: 2708, sum: 1185 })
    expect(summaries[1]?.sum).toBe(1070)
    expect(summaries[2]?.sum).toBe(1177)
  })

  it('uses the same bit layout as the DECTRIS encoder', () => {
    // Decompress block 0 with LZ4 only, and shuffle our decoded pixels: they must agree.
    const { blob } = images[0]!
    const compressedBytes = new DataView(blob.buffer, blob.byteOffset).getUint32(12)
    const shuffledByDetector = new Uint8Array(8192)
    decompressLz4Block(blob.subarray(16, 16 + compressedBytes), shuffledByDetector)
    const decoded = decodeBitshuffleLz4(blob, 4).bytes
    const shuffledByUs = new Uint8Array(8192)
    bitshuffleBlock(decoded, 0, shuffledByUs, 0, 2048, 4)
    expectSameBytes(shuffledByUs, shuffledByDetector)
  })

  it('re-encodes the decoded prefix to a blob that decodes to the same pixels', () => {
    const decoded = decodeBitshuffleLz4(images[1]!.blob, 4).bytes
    const again = decodeBitshuffleLz4(encodeBitshuffleLz4(decoded, 4), 4)
    expect(again.complete).toBe(true)
    expectSameBytes(again.bytes, decoded)
  })
})
