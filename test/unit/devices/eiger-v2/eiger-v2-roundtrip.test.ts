import { Encoder, Tag } from 'cbor-x'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { NumericArray } from '../../../../src/devices/dtype.js'
import {
  encodeEigerV2End,
  encodeEigerV2Image,
  encodeEigerV2Start,
} from '../../../../src/devices/eiger-v2/encode-eiger-v2.js'
import {
  EIGER_V2_TYP,
  type EigerV2Message,
  parseEigerV2,
} from '../../../../src/devices/eiger-v2/parse-eiger-v2.js'

const parse = (frames: Uint8Array[]): EigerV2Message => parseEigerV2({ typ: EIGER_V2_TYP, frames })

function sameElements(a: NumericArray | undefined, b: NumericArray): boolean {
  if (a === undefined) return false
  const x = Buffer.from(a.buffer, a.byteOffset, a.byteLength)
  const y = Buffer.from(b.buffer, b.byteOffset, b.byteLength)
  return a.constructor === b.constructor && x.equals(y)
}

const images = fc
  .record({
    rows: fc.integer({ min: 1, max: 30 }),
    cols: fc.integer({ min: 1, max: 50 }),
    wide: fc.boolean(),
    compression: fc.constantFrom('bslz4' as const, 'lz4' as const, 'none' as const),
    thresholds: fc.integer({ min: 1, max: 2 }),
  })
  .chain((c) => {
    const n = c.rows * c.cols
    const pixels = fc.array(fc.constantFrom(0, 0, 0, 1, 2, 65_535), { minLength: n, maxLength: n })
    return fc.array(pixels, { minLength: c.thresholds, maxLength: c.thresholds }).map((all) => ({
      ...c,
      data: all.map(
        (v): NumericArray =>
          c.wide ? Uint32Array.from(v, (x) => x * 70_001) : Uint16Array.from(v),
      ),
    }))
  })

describe('encodeEigerV2* → parseEigerV2', () => {
  it('round-trips images: bslz4, lz4, uncompressed; uint16, uint32; one or two thresholds', () => {
    fc.assert(
      fc.property(images, ({ rows, cols, compression, data }) => {
        const names = ['threshold_1', 'threshold_2']
        const input = Object.fromEntries(
          data.map((d, i) => [names[i]!, { shape: [rows, cols], data: d }]),
        )
        const frames = encodeEigerV2Image({
          seriesId: 7,
          seriesUniqueId: 'abc',
          imageId: 41,
          images: input,
          compression,
          realTime: [1_000, 100_000],
          startTime: [5_000, 100_000],
          stopTime: [6_000, 100_000],
        })
        expect(frames).toHaveLength(1)
        expect(Array.from(frames[0]!.subarray(0, 3))).toEqual([0xd9, 0xd9, 0xf7])
        const msg = parse(frames)
        if (msg.kind !== 'data') throw new Error('expected an image')
        expect(msg).toMatchObject({ seriesId: 7, seriesUniqueId: 'abc', imageId: 41 })
        expect(msg.realTimeS).toBeCloseTo(0.01)
        expect(msg.stopTimeS).toBeCloseTo(0.06)
        expect(msg.channels).toEqual(names.slice(0, data.length))
        data.forEach((d, i) => {
          const image = msg.images[names[i]!]
          expect(image?.shape).toEqual([rows, cols])
          expect(image?.compression).toBe(compression)
          expect(sameElements(image?.data, d)).toBe(true)
        })
      }),
      { numRuns: 60 },
    )
  })

  it('round-trips a start with flatfield, pixel mask and countrate table per channel', () => {
    const flat = Float32Array.of(1, 1.25, 0.75, 1, 1, 1)
    const mask = Uint32Array.of(0, 0, 1, 0, 16, 0)
    const table = Uint32Array.from({ length: 100 }, (_, i) => i * 3)
    for (const compression of ['none', 'bslz4', 'lz4'] as const) {
      const msg = parse(
        encodeEigerV2Start({
          seriesId: 3,
          seriesUniqueId: 'u-3',
          channels: ['threshold_1', 'threshold_2'],
          flatfield: {
            threshold_1: { shape: [2, 3], data: flat },
            threshold_2: { shape: [2, 3], data: flat },
          },
          pixelMask: { threshold_1: { shape: [2, 3], data: mask } },
          countrateTable: table,
          compression,
          extra: {
            image_size_x: 3,
            image_size_y: 2,
            image_dtype: 'uint32',
            count_time: 0.5,
            arm_date: '2024-01-01T00:00:00Z',
          },
        }),
      )
      if (msg.kind !== 'start') throw new Error('expected a start')
      expect(msg.channels).toEqual(['threshold_1', 'threshold_2'])
      expect(msg.header).toMatchObject({ image_size_x: 3, count_time: 0.5, image_dtype: 'uint32' })
      expect(msg.flatfield.threshold_2?.shape).toEqual([2, 3])
      expect(sameElements(msg.flatfield.threshold_1?.data, flat)).toBe(true)
      expect(sameElements(msg.pixelMask.threshold_1?.data, mask)).toBe(true)
      expect(sameElements(msg.countrateTable, table)).toBe(true)
    }
  })

  it('round-trips the end and keeps extra fields', () => {
    const msg = parse(encodeEigerV2End({ seriesId: 9, seriesUniqueId: 'z', extra: { note: 'x' } }))
    expect(msg).toMatchObject({
      kind: 'end',
      seriesId: 9,
      seriesUniqueId: 'z',
      header: { note: 'x' },
    })
  })

  it('reads big-endian typed arrays and messages without the self-describe tag', () => {
    const encoder = new Encoder({ useRecords: false, mapsAsObjects: true })
    const be = Buffer.from([0, 1, 0, 2, 1, 0, 0xff, 0xff])
    const bytes = encoder.encode({
      type: 'image',
      series_id: 1,
      series_unique_id: 's',
      image_id: 0,
      data: { t: new Tag([[2, 2], new Tag(be, 65)], 40) },
    })
    const msg = parse([bytes])
    if (msg.kind !== 'data') throw new Error('expected an image')
    expect(msg.images.t?.data).toEqual(Uint16Array.of(1, 2, 256, 65_535))
    expect(msg.images.t?.dtype.name).toBe('uint16')
  })
})
