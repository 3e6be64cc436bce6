import { describe, expect, it } from 'vitest'
import {
  bytesOf,
  DTYPE_NAMES,
  dtypeOf,
  dtypeTypestr,
  HOST_LITTLE_ENDIAN,
  parseDtype,
  shapeSize,
  swapBytes,
  viewAs,
} from '../../../src/devices/dtype.js'
import { isBeamloomError } from '../../../src/errors.js'

describe('parseDtype', () => {
  it('reads numpy names as little endian', () => {
    expect(parseDtype('uint16')).toEqual({ name: 'uint16', itemSize: 2, littleEndian: true })
    expect(parseDtype('float64')).toEqual({ name: 'float64', itemSize: 8, littleEndian: true })
    for (const name of DTYPE_NAMES) expect(parseDtype(name).name).toBe(name)
  })

  it('reads numpy type strings with and without byte order', () => {
    expect(parseDtype('<u2')).toEqual({ name: 'uint16', itemSize: 2, littleEndian: true })
    expect(parseDtype('>i4')).toEqual({ name: 'int32', itemSize: 4, littleEndian: false })
    expect(parseDtype('=f4')).toEqual({ name: 'float32', itemSize: 4, littleEndian: true })
    expect(parseDtype('|u1')).toEqual({ name: 'uint8', itemSize: 1, littleEndian: true })
    expect(parseDtype('>u1').littleEndian).toBe(true) // one byte has no order
    expect(parseDtype('f8').name).toBe('float64')
    expect(parseDtype('<i8').name).toBe('int64')
  })

  it.each(['float16', 'complex64', '<c8', '|u2', 'Uint16', '', 'u3', '<<u2', 'object'])(
    'rejects %j with PROTOCOL_INVALID',
    (spec) => {
      expect(() => parseDtype(spec)).toThrow(/unknown dtype/)
      try {
        parseDtype(spec)
      } catch (err) {
        expect(isBeamloomError(err, 'PROTOCOL_INVALID')).toBe(true)
      }
    },
  )

  it('round-trips through dtypeTypestr', () => {
    for (const spec of ['<u2', '>i4', '|u1', '<f8', '>u8']) {
      expect(dtypeTypestr(parseDtype(spec))).toBe(spec)
    }
  })
})

describe('viewAs', () => {
  it('is zero-copy for aligned bytes in host order', () => {
    const buffer = new ArrayBuffer(16)
    const bytes = new Uint8Array(buffer, 4, 8)
    const view = viewAs(bytes, parseDtype('uint32'))
    expect(view).toBeInstanceOf(Uint32Array)
    expect(view.buffer).toBe(buffer)
    expect(view.byteOffset).toBe(4)
    expect(view.length).toBe(2)
  })

  it('copies misaligned bytes and keeps the values', () => {
    const buffer = new Uint8Array(9)
    buffer.set([0x34, 0x12, 0xff, 0xff], 1)
    const view = viewAs(buffer.subarray(1, 5), parseDtype('<u2'))
    expect(view.buffer).not.toBe(buffer.buffer)
    expect([...view]).toEqual([0x1234, 0xffff])
  })

  it('copies misaligned Node Buffers (whose slice() is a view, not a copy)', () => {
    const pool = Buffer.alloc(16)
    pool.set([0x34, 0x12, 0x78, 0x56], 3)
    const view = viewAs(pool.subarray(3, 7), parseDtype('uint16'))
    expect([...view]).toEqual([0x1234, 0x5678])
  })

  it('byte-swaps foreign byte order into a copy', () => {
    const bytes = Uint8Array.of(0x12, 0x34, 0x56, 0x78)
    const big = viewAs(bytes, parseDtype('>u4'))
    const little = viewAs(bytes, parseDtype('<u4'))
    expect([...(HOST_LITTLE_ENDIAN ? big : little)]).toEqual([0x12345678])
    expect([...bytes]).toEqual([0x12, 0x34, 0x56, 0x78]) // the input is untouched
    expect([...viewAs(Uint8Array.of(0x3f, 0xf0, 0, 0, 0, 0, 0, 0), parseDtype('>f8'))]).toEqual([1])
  })

  it('makes every supported type', () => {
    const bytes = new Uint8Array(16)
    for (const name of DTYPE_NAMES) {
      const view = viewAs(bytes, parseDtype(name))
      expect(dtypeOf(view).name).toBe(name)
      expect(view.length).toBe(16 / parseDtype(name).itemSize)
    }
  })

  it('rejects lengths that are not whole elements', () => {
    expect(() => viewAs(new Uint8Array(5), parseDtype('uint16'))).toThrow(/whole number/)
  })
})

describe('helpers', () => {
  it('bytesOf views a typed array without copying', () => {
    const values = new Uint16Array([1, 2, 3]).subarray(1)
    const bytes = bytesOf(values)
    expect(bytes.buffer).toBe(values.buffer)
    expect(bytes.byteOffset).toBe(2)
    expect(bytes.length).toBe(4)
  })

  it('swapBytes reverses each element', () => {
    const bytes = Uint8Array.of(1, 2, 3, 4, 5, 6)
    swapBytes(bytes, 3)
    expect([...bytes]).toEqual([3, 2, 1, 6, 5, 4])
  })

  it('shapeSize multiplies and refuses unsafe sizes', () => {
    expect(shapeSize([10, 10])).toBe(100)
    expect(shapeSize([3, 0, 7])).toBe(0)
    expect(() => shapeSize([2 ** 30, 2 ** 30])).toThrow(/too large/)
  })
})
