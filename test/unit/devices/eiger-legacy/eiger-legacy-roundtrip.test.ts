import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { NumericArray } from '../../../../src/devices/dtype.js'
import {
  encodeEigerLegacyEnd,
  encodeEigerLegacyHeader,
  encodeEigerLegacyImage,
} from '../../../../src/devices/eiger-legacy/encode-eiger-legacy.js'
import {
  EIGER_LEGACY_TYP,
  type EigerLegacyMessage,
  parseEigerLegacy,
  parseEigerLegacyFrames,
} from '../../../../src/devices/eiger-legacy/parse-eiger-legacy.js'
import { isBeamloomError } from '../../../../src/errors.js'

const utf8 = new TextEncoder()
const json = (value: unknown): Uint8Array => utf8.encode(JSON.stringify(value))

function parse(frames: Uint8Array[]): EigerLegacyMessage {
  return parseEigerLegacy({ typ: EIGER_LEGACY_TYP, frames })
}

function sameElements(a: NumericArray, b: NumericArray): boolean {
  const x = Buffer.from(a.buffer, a.byteOffset, a.byteLength)
  const y = Buffer.from(b.buffer, b.byteOffset, b.byteLength)
  return a.constructor === b.constructor && x.equals(y)
}

const images = fc
  .record({
    rows: fc.integer({ min: 1, max: 40 }),
    cols: fc.integer({ min: 1, max: 70 }),
    type: fc.constantFrom('uint8', 'uint16', 'uint32', 'float32'),
    compression: fc.constantFrom('bslz4' as const, 'lz4' as const, 'none' as const),
    sparse: fc.boolean(),
  })
  .chain((c) => {
    const n = c.rows * c.cols
    const values = c.sparse ? fc.constantFrom(0, 0, 0, 1, 7) : fc.integer({ min: 0, max: 255 })
    return fc.array(values, { minLength: n, maxLength: n }).map((v) => {
      const data: NumericArray =
        c.type === 'uint8'
          ? Uint8Array.from(v)
          : c.type === 'uint16'
            ? Uint16Array.from(v, (x) => x * 251)
            : c.type === 'uint32'
              ? Uint32Array.from(v, (x) => x * 16_777_259)
              : Float32Array.from(v, (x) => x / 3)
      return { ...c, data }
    })
  })

function expectCode(run: () => unknown, code: string, message?: RegExp): void {
  let thrown: unknown
  try {
    run()
  } catch (err) {
    thrown = err
  }
  expect(isBeamloomError(thrown), String(thrown)).toBe(true)
  expect(isBeamloomError(thrown) && thrown.code).toBe(code)
  if (message !== undefined) expect(String(thrown)).toMatch(message)
}

describe('encodeEigerLegacy* → parseEigerLegacy', () => {
  it('round-trips images of every encoding and type, shape [rows, cols]', () => {
    fc.assert(
      fc.property(images, ({ rows, cols, compression, data }) => {
        const frames = encodeEigerLegacyImage({
          series: 3,
          frame: 9,
          shape: [rows, cols],
          data,
          compression,
          realTimeNs: 1000,
          startTimeNs: 5,
          stopTimeNs: 1005,
        })
        expect(frames).toHaveLength(4)
        const msg = parse(frames)
        if (msg.kind !== 'data') throw new Error('expected an image')
        expect(msg.image.shape).toEqual([rows, cols])
        expect(msg.image.complete).toBe(true)
        expect(msg.compression).toBe(compression)
        expect(msg.dataHeader.shape).toEqual([cols, rows])
        expect(sameElements(msg.image.data, data)).toBe(true)
        expect(msg).toMatchObject({ series: 3, frame: 9, realTimeNs: 1000, stopTimeNs: 1005 })
      }),
      { numRuns: 60 },
    )
  })

  it('writes the encodings DECTRIS uses', () => {
    const encodingOf = (frames: Uint8Array[]): unknown =>
      JSON.parse(Buffer.from(frames[1]!).toString()).encoding
    const u32 = new Uint32Array(16)
    expect(
      encodingOf(encodeEigerLegacyImage({ series: 1, frame: 0, shape: [4, 4], data: u32 })),
    ).toBe('bs32-lz4<')
    const u16 = new Uint16Array(16)
    const lz4 = encodeEigerLegacyImage({
      series: 1,
      frame: 0,
      shape: [4, 4],
      data: u16,
      compression: 'lz4',
    })
    expect(encodingOf(lz4)).toBe('lz4<')
    const raw = encodeEigerLegacyImage({
      series: 1,
      frame: 0,
      shape: [2, 8],
      data: u16,
      compression: 'none',
    })
    expect(encodingOf(raw)).toBe('<')
  })

  it('round-trips headers of every detail level, with and without appendix', () => {
    const config = { x_pixels_in_detector: 3, y_pixels_in_detector: 2, count_time: 0.1 }
    const flatfield = { shape: [2, 3] as const, data: Float32Array.of(1, 1.5, 2, 0.5, 1, 1) }
    const pixelMask = { shape: [2, 3] as const, data: Uint32Array.of(0, 1, 0, 0, 2, 0) }
    const countrateTable = {
      shape: [4, 2] as const,
      data: Float32Array.of(0, 0, 1, 1, 2, 1.9, 3, 2.7),
    }
    const none = parse(encodeEigerLegacyHeader({ series: 1, headerDetail: 'none' }))
    expect(none).toMatchObject({
      kind: 'start',
      series: 1,
      headerDetail: 'none',
      config: undefined,
    })
    const basic = encodeEigerLegacyHeader({
      series: 2,
      headerDetail: 'basic',
      config,
      appendix: 'note',
    })
    expect(basic).toHaveLength(3)
    expect(parse(basic)).toMatchObject({ headerDetail: 'basic', config, appendix: 'note' })
    const all = encodeEigerLegacyHeader({
      series: 4,
      headerDetail: 'all',
      config,
      flatfield,
      pixelMask,
      countrateTable,
      appendix: { user: 'x' },
    })
    expect(all).toHaveLength(9)
    const msg = parse(all)
    if (msg.kind !== 'start') throw new Error('expected a header')
    expect(msg.appendix).toEqual({ user: 'x' })
    expect(msg.flatfield?.shape).toEqual([2, 3])
    expect(msg.flatfield?.data).toEqual(flatfield.data)
    expect(msg.pixelMask?.data).toEqual(Uint32Array.of(0, 1, 0, 0, 2, 0))
    expect(msg.countrateTable).toMatchObject({ shape: [4, 2], complete: true })
  })

  it('round-trips the series end', () => {
    expect(parse(encodeEigerLegacyEnd({ series: 12 }))).toMatchObject({ kind: 'end', series: 12 })
  })
})

describe('parseEigerLegacy rejects malformed messages', () => {
  const data = Uint32Array.from({ length: 64 * 64 }, (_, i) => (i * 7) % 13)
  const good = encodeEigerLegacyImage({ series: 1, frame: 0, shape: [64, 64], data })

  it('rejects wrong part counts', () => {
    expectCode(() => parse(good.slice(0, 3)), 'PROTOCOL_INVALID', /3 parts \(expected 4 or 5\)/)
    expectCode(() => parse([...good, good[0]!, good[0]!]), 'PROTOCOL_INVALID', /6 parts/)
    const header = encodeEigerLegacyHeader({ series: 1, headerDetail: 'basic', config: {} })
    expectCode(() => parse(header.slice(0, 1)), 'PROTOCOL_INVALID', /expected 2 or 3/)
    expectCode(() => parse([...encodeEigerLegacyEnd({ series: 1 }), json({})]), 'PROTOCOL_INVALID')
  })

  it('rejects bad JSON, unknown htype and a missing field', () => {
    expectCode(
      () => parse([utf8.encode('{"htype": '), ...good.slice(1)]),
      'PROTOCOL_INVALID',
      /not UTF-8 JSON/,
    )
    expectCode(() => parse([json({ htype: 'dimage-2.0' })]), 'PROTOCOL_INVALID', /unknown htype/)
    expectCode(
      () => parse([json({ htype: 'dimage-1.0', series: 1 }), ...good.slice(1)]),
      'PROTOCOL_INVALID',
      /frame/,
    )
  })

  it('rejects an unknown encoding and a mismatched bitshuffle element size', () => {
    const withData = (patch: object): Uint8Array[] => {
      const d = JSON.parse(Buffer.from(good[1]!).toString())
      return [good[0]!, json({ ...d, ...patch }), good[2]!, good[3]!]
    }
    expectCode(() => parse(withData({ encoding: 'zstd<' })), 'PROTOCOL_INVALID', /unknown encoding/)
    expectCode(
      () => parse(withData({ encoding: 'bs16-lz4<' })),
      'PROTOCOL_INVALID',
      /element of 2 bytes/,
    )
    expectCode(() => parse(withData({ shape: [64, 32] })), 'PROTOCOL_INVALID', /needs/)
  })

  it('surfaces a truncated blob but rejects a corrupt one of the announced size', () => {
    const cut = [good[0]!, good[1]!, good[2]!.subarray(0, good[2]!.length - 10), good[3]!]
    const msg = parse(cut)
    if (msg.kind !== 'data') throw new Error('expected an image')
    expect(msg.image.complete).toBe(false)
    expect(msg.image.data.length).toBeLessThan(64 * 64)
    const corrupt = Uint8Array.from(good[2]!)
    // Point the first block's length past the end: looks like truncation, but the size says not.
    new DataView(corrupt.buffer).setUint32(12, 0x00ff_ffff)
    expectCode(() => parse([good[0]!, good[1]!, corrupt, good[3]!]), 'DECODE_FAILED', /frame 0/)
    const garbage = Uint8Array.from(good[2]!)
    garbage.fill(0xff, 16)
    expectCode(() => parse([good[0]!, good[1]!, garbage, good[3]!]), 'DECODE_FAILED')
    const longer = new Uint8Array(good[2]!.length + 4)
    longer.set(good[2]!)
    expectCode(
      () => parse([good[0]!, good[1]!, longer, good[3]!]),
      'PROTOCOL_INVALID',
      /more than the announced/,
    )
  })

  it('rejects a corrupt lz4< blob and a stream of another typ', () => {
    const lz4 = encodeEigerLegacyImage({
      series: 1,
      frame: 0,
      shape: [64, 64],
      data,
      compression: 'lz4',
    })
    const bad = Uint8Array.from(lz4[2]!)
    bad.fill(0xf0, 1, 8)
    expectCode(() => parse([lz4[0]!, lz4[1]!, bad, lz4[3]!]), 'DECODE_FAILED')
    expectCode(
      () => parseEigerLegacy({ typ: 'STINS', frames: good }),
      'PROTOCOL_INVALID',
      /typ 'STINS'/,
    )
    expect(parseEigerLegacyFrames(good).kind).toBe('data')
  })
})
