import { Encoder } from 'cbor-x'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodePayload } from '../../../../src/index.js'
import { repoPath } from '../../../harness/fixtures.js'

// The viewer's decoder is a plain browser module (no types): load it as the page does.
const { decodeCbor } = (await import(repoPath('reducer/viewer/static/cbor.js'))) as {
  decodeCbor: (buffer: ArrayBuffer) => unknown
}

/** What the reducer serves for `value` (`Accept: application/cbor`), as the browser gets it. */
function served(value: unknown): ArrayBuffer {
  const bytes = encodePayload(value)
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
}

describe('viewer CBOR decoder (reducer/viewer/static/cbor.js)', () => {
  it('reads typed arrays of every element type as the reducer encodes them', () => {
    const arrays = [
      new Uint8Array([0, 1, 255]),
      new Int8Array([-128, 0, 127]),
      new Uint16Array([0, 513, 65_535]),
      new Int16Array([-32_768, -2, 32_767]),
      new Uint32Array([0, 70_000, 4_294_967_295]),
      new Int32Array([-2_147_483_648, -5, 2_147_483_647]),
      new Float32Array([0.5, -1.25, 3e10]),
      new Float64Array([Math.PI, -0, 1e-300]),
    ]
    for (const a of arrays) {
      const decoded = decodeCbor(served(a)) as ArrayLike<number>
      expect(decoded.constructor.name, a.constructor.name).toBe(a.constructor.name)
      expect(Array.from(decoded)).toEqual(Array.from(a))
    }
    const big = decodeCbor(served(new BigInt64Array([-3n, 2n ** 40n]))) as Float64Array
    expect(Array.from(big)).toEqual([-3, 2 ** 40])
  })

  it('reads nested publish trees: maps, rows of typed arrays, strings, booleans, null', () => {
    const tree = {
      sum: 12.5,
      count: -7,
      name: 'xrd ✓',
      done: true,
      none: null,
      image: [new Float32Array([1, 2]), new Float32Array([3, 4])],
      nested: { deep: { list: [0, 1, 2 ** 33] } },
    }
    const decoded = decodeCbor(served(tree)) as typeof tree
    expect(decoded).toMatchObject({ sum: 12.5, count: -7, name: 'xrd ✓', done: true, none: null })
    expect(decoded.image.map((r) => Array.from(r))).toEqual([
      [1, 2],
      [3, 4],
    ])
    expect(decoded.nested).toEqual({ deep: { list: [0, 1, 2 ** 33] } })
  })

  it('keeps a "__proto__" key as an own property and never changes the prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}')
    const bytes = new Encoder({ useRecords: false }).encode(value)
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
    const decoded = decodeCbor(buffer as ArrayBuffer) as Record<string, unknown>
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype)
    expect(Object.hasOwn(decoded, '__proto__')).toBe(true)
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toEqual({ polluted: true })
    expect((decoded as { polluted?: unknown }).polluted).toBeUndefined()
    expect(decoded.a).toBe(1)
  })

  it('agrees with cbor-x on any JSON-like value (property)', () => {
    const plain = new Encoder({ useRecords: false })
    fc.assert(
      // cbor-x renames a "__proto__" key to "__proto_" (its guard against prototype pollution),
      // so it is no oracle for that key; the test above covers it.
      fc.property(
        fc.jsonValue().filter((v) => !JSON.stringify(v).includes('"__proto__"')),
        (value) => {
          const bytes = plain.encode(value)
          const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
          expect(decodeCbor(buffer as ArrayBuffer)).toEqual(plain.decode(bytes))
        },
      ),
    )
  })

  it('reads half floats, indefinite lengths and tag 40 arrays (other CBOR writers use them)', () => {
    // [_ 1.5 (half), "a" "b" (indefinite text), {_ "k": 1}, 40([[2, 2], 64(h'01020304')])]
    const bytes = new Uint8Array([
      0x9f, 0xf9, 0x3e, 0x00, 0x7f, 0x61, 0x61, 0x61, 0x62, 0xff, 0xbf, 0x61, 0x6b, 0x01, 0xff,
      0xd8, 0x28, 0x82, 0x82, 0x02, 0x02, 0xd8, 0x40, 0x44, 0x01, 0x02, 0x03, 0x04, 0xff,
    ])
    const decoded = decodeCbor(bytes.buffer) as [number, string, object, { shape: number[] }]
    expect(decoded[0]).toBe(1.5)
    expect(decoded[1]).toBe('ab')
    expect(decoded[2]).toEqual({ k: 1 })
    expect(decoded[3]).toEqual({ shape: [2, 2], data: new Uint8Array([1, 2, 3, 4]) })
  })
})
