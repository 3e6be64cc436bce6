import { Encoder, Tag } from 'cbor-x'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeEigerV2Cbor } from '../../../../src/devices/eiger-v2/eiger-v2-cbor.js'
import { encodeEigerV2Image } from '../../../../src/devices/eiger-v2/encode-eiger-v2.js'
import { decodeHdf5Lz4, encodeHdf5Lz4 } from '../../../../src/devices/eiger-v2/hdf5-lz4.js'
import { EIGER_V2_TYP, parseEigerV2 } from '../../../../src/devices/eiger-v2/parse-eiger-v2.js'
import { isBeamloomError } from '../../../../src/errors.js'

const encoder = new Encoder({ useRecords: false, mapsAsObjects: true })
const parse = (frames: Uint8Array[]): unknown => parseEigerV2({ typ: EIGER_V2_TYP, frames })

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

function image(content: unknown, shape: number[] = [2, 2]): Uint8Array {
  return encoder.encode({
    type: 'image',
    series_id: 1,
    series_unique_id: 's',
    image_id: 0,
    data: { t: new Tag([shape, content], 40) },
  })
}

const u16 = Buffer.from(new Uint16Array([1, 2, 3, 4]).buffer)

describe('decodeEigerV2Cbor', () => {
  it('decodes what cbor-x encodes', () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.integer(),
        fc.double({ noNaN: true }).filter((x) => !Object.is(x, -0)), // cbor-x writes -0 as 0
        fc.string(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
      ),
    })).value
    fc.assert(
      fc.property(json, (value) => {
        expect(decodeEigerV2Cbor(encoder.encode(value))).toEqual(value)
      }),
    )
  })

  it('keeps a key named __proto__ as a plain key and decodes half floats and indefinite lengths', () => {
    const decoded = decodeEigerV2Cbor(encoder.encode({ ['__proto__']: 1, a: 2 }))
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype)
    expect(Object.keys(Object(decoded))).toEqual(['__proto__', 'a'])
    // f9 3e00 = 1.5; 9f 01 02 ff = [1, 2]; 5f 41 61 41 62 ff = h'6162'
    expect(decodeEigerV2Cbor(Uint8Array.of(0xf9, 0x3e, 0x00))).toBe(1.5)
    expect(decodeEigerV2Cbor(Uint8Array.of(0x9f, 0x01, 0x02, 0xff))).toEqual([1, 2])
    const chunked = decodeEigerV2Cbor(Uint8Array.of(0x5f, 0x41, 0x61, 0x41, 0x62, 0xff))
    expect(chunked).toEqual(Buffer.from('ab'))
  })

  it('rejects truncated, trailing and duplicate-key input', () => {
    const bytes = encoder.encode({ type: 'end', series_id: 1 })
    expectCode(
      () => decodeEigerV2Cbor(bytes.subarray(0, bytes.length - 1)),
      'PROTOCOL_INVALID',
      /message ends/,
    )
    expectCode(
      () => decodeEigerV2Cbor(Uint8Array.of(...bytes, 0)),
      'PROTOCOL_INVALID',
      /after the message/,
    )
    // a2 61 61 01 61 61 02 = {"a": 1, "a": 2}
    expectCode(
      () => decodeEigerV2Cbor(Uint8Array.of(0xa2, 0x61, 0x61, 1, 0x61, 0x61, 2)),
      'PROTOCOL_INVALID',
      /duplicate/,
    )
  })
})

describe('parseEigerV2 rejects malformed messages', () => {
  it('rejects a wrong part count, an unknown type and a missing field', () => {
    const good = image(new Tag(u16, 69))
    expectCode(() => parse([good, good]), 'PROTOCOL_INVALID', /2 parts/)
    expectCode(() => parse([]), 'PROTOCOL_INVALID', /0 parts/)
    expectCode(
      () => parse([encoder.encode({ type: 'hello' })]),
      'PROTOCOL_INVALID',
      /unknown message type/,
    )
    expectCode(
      () => parse([encoder.encode({ type: 'end', series_id: 1 })]),
      'PROTOCOL_INVALID',
      /series_unique_id/,
    )
    expectCode(() => parse([encoder.encode([1, 2])]), 'PROTOCOL_INVALID')
    expectCode(
      () => parseEigerV2({ typ: 'EIGER_LEGACY', frames: [good] }),
      'PROTOCOL_INVALID',
      /typ/,
    )
  })

  it('rejects an unknown compression, a bad typed array and a shape mismatch', () => {
    const zstd = new Tag(new Tag(['zstd', 2, Buffer.alloc(20)], 56_500), 69)
    expectCode(() => parse([image(zstd)]), 'PROTOCOL_INVALID', /unknown compression 'zstd'/)
    expectCode(
      () => parse([image(new Tag(u16, 84))]),
      'PROTOCOL_INVALID',
      /unsupported typed array tag 84/,
    )
    expectCode(
      () => parse([image(new Tag(u16, 69), [3, 2])]),
      'PROTOCOL_INVALID',
      /do not fill shape/,
    )
    expectCode(
      () => parse([image(new Tag(u16.subarray(0, 7), 69))]),
      'PROTOCOL_INVALID',
      /whole number/,
    )
    expectCode(() => parse([image(u16)]), 'PROTOCOL_INVALID', /typed array/)
  })

  it('rejects corrupt and truncated compressed data', () => {
    const data = Uint32Array.from({ length: 64 * 64 }, (_, i) => i % 5)
    for (const compression of ['bslz4', 'lz4'] as const) {
      const [bytes] = encodeEigerV2Image({
        seriesId: 1,
        seriesUniqueId: 's',
        imageId: 2,
        images: { t: { shape: [64, 64], data } },
        compression,
      })
      const decoded = decodeEigerV2Cbor(bytes!)
      const blob = findCompressed(decoded)
      const cut = Buffer.from(blob.subarray(0, blob.length - 20))
      const again = image(new Tag(new Tag([compression, 4, cut], 56_500), 70), [64, 64])
      expectCode(() => parse([again]), 'DECODE_FAILED', /image 0 channel 't'/)
      const corrupt = Buffer.from(blob)
      corrupt.fill(0xff, 20)
      const bad = image(new Tag(new Tag([compression, 4, corrupt], 56_500), 70), [64, 64])
      expectCode(() => parse([bad]), 'DECODE_FAILED')
    }
  })
})

/** The compressed byte string inside a decoded image message (walks the one channel). */
function findCompressed(value: unknown): Uint8Array {
  const found: Uint8Array[] = []
  const walk = (v: unknown): void => {
    if (v instanceof Uint8Array) found.push(v)
    else if (Array.isArray(v)) v.forEach(walk)
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk)
  }
  walk(value)
  const blob = found.find((b) => b.length > 16)
  if (blob === undefined) throw new Error('no compressed blob')
  return blob
}

describe('HDF5-framed LZ4', () => {
  it('round-trips any bytes with any block size, storing incompressible blocks raw', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.integer({ min: 1, max: 1024 }),
        (data, block) => {
          expect(Buffer.from(decodeHdf5Lz4(encodeHdf5Lz4(data, block)))).toEqual(Buffer.from(data))
        },
      ),
    )
    expect(decodeHdf5Lz4(encodeHdf5Lz4(new Uint8Array(100_000))).length).toBe(100_000)
  })

  it('rejects leftover bytes and a short header', () => {
    const blob = encodeHdf5Lz4(new Uint8Array(1000), 256)
    expectCode(
      () => decodeHdf5Lz4(Uint8Array.of(...blob, 1)),
      'DECODE_FAILED',
      /after the last block/,
    )
    expectCode(() => decodeHdf5Lz4(blob.subarray(0, 8)), 'DECODE_FAILED', /header/)
  })
})
