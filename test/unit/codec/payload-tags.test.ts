import { Encoder, Tag } from 'cbor-x'
import { describe, expect, it } from 'vitest'
import { decodePayload } from '../../../src/internal.js'

// What a Python host sends (python/beamloom/payload.py), built here by hand with cbor-x tags.
const cbor = new Encoder({ useRecords: false, tagUint8Array: false })
const enc = (value: unknown) => cbor.encode(value)
const bytes = (...b: number[]) => Buffer.from(b)

describe('payload tags from Python analyses', () => {
  it('tag 40: scalars, 1-D, and N-D arrays as nested typed-array rows over one buffer', () => {
    const flat = Uint16Array.from({ length: 24 }, (_, i) => i)
    const cube = decodePayload(enc(new Tag([[2, 3, 4], flat], 40))) as Uint16Array[][]
    expect(cube).toHaveLength(2)
    expect(cube[1]?.[2]).toEqual(Uint16Array.of(20, 21, 22, 23))
    expect(cube[0]?.[0]?.buffer).toBe(cube[1]?.[2]?.buffer)
    expect(decodePayload(enc(new Tag([[3], Float32Array.of(1, 2, 3)], 40)))).toEqual(
      Float32Array.of(1, 2, 3),
    )
    expect(decodePayload(enc(new Tag([[], Float32Array.of(2.5)], 40)))).toBe(2.5)
    expect(decodePayload(enc(new Tag([[], BigInt64Array.of(7n)], 40)))).toBe(7)
    expect(decodePayload(enc(new Tag([[], BigInt64Array.of(2n ** 60n)], 40)))).toBe(2n ** 60n)
    expect(decodePayload(enc(new Tag([[2, 0], new Float64Array(0)], 40)))).toEqual([
      new Float64Array(0),
      new Float64Array(0),
    ])
    expect(decodePayload(enc(new Tag([[0, 3], new Float64Array(0)], 40)))).toEqual([])
  })

  it('numpy arrays of other dtypes: bool, float16, big-endian, complex, strings', () => {
    const nd = (dtype: string, shape: number[], raw: Buffer) =>
      decodePayload(enc(new Tag([dtype, shape, raw], 42885)))
    expect(nd('|b1', [2, 2], bytes(1, 0, 0, 1))).toEqual([
      [true, false],
      [false, true],
    ])
    expect(nd('<f2', [2], bytes(0x00, 0x3c, 0x00, 0xc0))).toEqual(Float32Array.of(1, -2))
    expect(nd('>u2', [2], bytes(0x01, 0x02, 0x00, 0x05))).toEqual(Uint16Array.of(0x0102, 5))
    expect(nd('>i8', [], bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe))).toBe(-2)
    const c = Buffer.alloc(16)
    c.writeFloatLE(1, 0)
    c.writeFloatLE(2, 4)
    c.writeFloatLE(3, 8)
    c.writeFloatLE(4, 12)
    expect(nd('<c8', [2], c)).toEqual({ real: Float32Array.of(1, 3), imag: Float32Array.of(2, 4) })
    const u = Buffer.alloc(16)
    u.writeUInt32LE(0x61, 0)
    u.writeUInt32LE(0x62, 8)
    u.writeUInt32LE(0x1f600, 12)
    expect(nd('<U2', [2], u)).toEqual(['a', 'b😀'])
    expect(nd('|S2', [2], bytes(0x68, 0x69, 0x78, 0))).toEqual(['hi', 'x'])
  })

  it('tuples and dataclasses arrive as arrays and field objects', () => {
    expect(
      decodePayload(
        enc({ t: new Tag([1, 'x'], 42887), d: new Tag(['Projection', { axis: 1 }], 42886) }),
      ),
    ).toEqual({
      t: [1, 'x'],
      d: { axis: 1 },
    })
  })

  it('malformed tags are PROTOCOL_INVALID, naming the problem', () => {
    const bad = (value: unknown) => () => decodePayload(enc(value))
    expect(bad(new Tag([[2, 2], Float32Array.of(1, 2, 3)], 40))).toThrow(
      /shape \[2, 2\] has 3 items/,
    )
    expect(bad(new Tag(['x', Float32Array.of(1)], 40))).toThrow(/PROTOCOL|shape/)
    expect(bad(new Tag(['|O', [1], bytes(0, 0, 0, 0, 0, 0, 0, 0)], 42885))).toThrow(
      /dtype '\|O' is not supported/,
    )
    expect(bad(new Tag(['<u4', [1], bytes(1, 2)], 42885))).toThrow(/not whole u4 items/)
    expect(bad(new Tag([[1_000_000_000, 0], new Float32Array(0)], 40))).toThrow(
      /too many empty rows/,
    )
    let caught: unknown
    try {
      decodePayload(enc(new Tag([[3], Float32Array.of(1)], 40)))
    } catch (err) {
      caught = err
    }
    expect(caught).toMatchObject({ code: 'PROTOCOL_INVALID' })
  })
})
