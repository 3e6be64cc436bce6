import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { NumericArray } from '../../../../src/devices/dtype.js'
import {
  encodeStinsEnd,
  encodeStinsHeader,
  encodeStinsImage,
} from '../../../../src/devices/stins/encode-stins.js'
import { parseStins, parseStinsFrames } from '../../../../src/devices/stins/parse-stins.js'
import { isBeamloomError } from '../../../../src/errors.js'

const arrays: Record<string, (length: number) => fc.Arbitrary<NumericArray>> = {
  uint8: (n) => fc.uint8Array({ minLength: n, maxLength: n }),
  int8: (n) => fc.int8Array({ minLength: n, maxLength: n }),
  uint16: (n) => fc.uint16Array({ minLength: n, maxLength: n }),
  int16: (n) => fc.int16Array({ minLength: n, maxLength: n }),
  uint32: (n) => fc.uint32Array({ minLength: n, maxLength: n }),
  int32: (n) => fc.int32Array({ minLength: n, maxLength: n }),
  uint64: (n) => fc.bigUint64Array({ minLength: n, maxLength: n }),
  int64: (n) => fc.bigInt64Array({ minLength: n, maxLength: n }),
  float32: (n) => fc.float32Array({ minLength: n, maxLength: n, noDefaultInfinity: true }),
  float64: (n) => fc.float64Array({ minLength: n, maxLength: n, noDefaultInfinity: true }),
}

const images = fc
  .record({
    rows: fc.nat(40),
    cols: fc.nat(70),
    parts: fc.integer({ min: 1, max: 3 }),
    type: fc.constantFrom(...Object.keys(arrays)),
    compression: fc.constantFrom('none' as const, 'bslz4' as const),
  })
  .chain((c) =>
    fc
      .array(arrays[c.type]!(c.rows * c.cols), { minLength: c.parts, maxLength: c.parts })
      .map((data) => ({ ...c, data })),
  )

/** Same elements, compared bitwise (so NaN and -0 count as themselves). */
function sameElements(a: NumericArray, b: NumericArray): boolean {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
  return a.constructor === b.constructor && Buffer.from(x).equals(Buffer.from(y))
}

describe('encodeStins* → parseStins', () => {
  it('round-trips images of every dtype, shape, part count and compression', () => {
    fc.assert(
      fc.property(images, ({ rows, cols, type, compression, data }) => {
        const frames = encodeStinsImage({
          msgNumber: 5,
          frame: 4,
          shape: [rows, cols],
          data,
          compression,
          extra: { exposure_s: 0.1 },
        })
        expect(frames).toHaveLength(1 + data.length)
        const msg = parseStins({ typ: 'STINS', frames })
        if (msg.kind !== 'data') throw new Error('expected an image')
        expect(msg).toMatchObject({ msgNumber: 5, frame: 4, shape: [rows, cols], compression })
        expect(msg.dtype.name).toBe(type)
        expect(msg.header.exposure_s).toBe(0.1)
        expect(msg.parts).toHaveLength(data.length)
        msg.parts.forEach((part, i) => {
          expect(sameElements(part, data[i]!)).toBe(true)
        })
      }),
      { numRuns: 200 },
    )
  })

  it('sends uncompressed parts as views on the arrays', () => {
    const data = Uint16Array.of(1, 2, 3, 4)
    const [, blob] = encodeStinsImage({ msgNumber: 1, frame: 0, shape: [2, 2], data })
    expect(blob?.buffer).toBe(data.buffer)
  })

  it('writes the JSON headers the protocol expects', () => {
    const text = (frames: Uint8Array[]) => JSON.parse(new TextDecoder().decode(frames[0]))
    expect(text(encodeStinsHeader({ msgNumber: 0, filename: 'out/a.h5' }))).toEqual({
      htype: 'header',
      msg_number: 0,
      filename: 'out/a.h5',
    })
    expect(
      text(
        encodeStinsImage({ msgNumber: 2, frame: 1, shape: [1, 2], data: Float32Array.of(1, 2) }),
      ),
    ).toEqual({
      htype: 'image',
      msg_number: 2,
      frame: 1,
      shape: [1, 2],
      type: 'float32',
      compression: 'none',
    })
    expect(text(encodeStinsEnd({ msgNumber: 9, extra: { htype: 'nope', why: 'done' } }))).toEqual({
      htype: 'series_end',
      msg_number: 9,
      why: 'done',
    })
  })

  it('round-trips header and series end', () => {
    expect(parseStinsFrames(encodeStinsHeader({ msgNumber: 0, filename: 'x.h5' }))).toMatchObject({
      kind: 'start',
      msgNumber: 0,
      filename: 'x.h5',
    })
    expect(parseStinsFrames(encodeStinsEnd({ msgNumber: 12 }))).toMatchObject({
      kind: 'end',
      msgNumber: 12,
    })
  })

  it('refuses parts that do not match the shape or each other', () => {
    const bad = [
      () => encodeStinsImage({ msgNumber: 1, frame: 0, shape: [2, 2], data: Uint8Array.of(1) }),
      () => encodeStinsImage({ msgNumber: 1, frame: 0, shape: [1], data: [] }),
      () =>
        encodeStinsImage({
          msgNumber: 1,
          frame: 0,
          shape: [1],
          data: [Uint8Array.of(1), Int8Array.of(1)],
        }),
    ]
    for (const encode of bad) {
      let thrown: unknown
      try {
        encode()
      } catch (err) {
        thrown = err
      }
      expect(isBeamloomError(thrown, 'PROTOCOL_INVALID'), String(thrown)).toBe(true)
    }
  })
})
