import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readPickle } from '../../../src/codec/pickle-reader.js'
import { isNumpyArray, type PickleValue } from '../../../src/codec/pickle-value.js'
import {
  PickleFloat,
  PickleTuple,
  type PickleWritable,
  toNumpyArray,
  writePickle,
} from '../../../src/codec/pickle-writer.js'
import { ProtocolError } from '../../../src/errors.js'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

describe('writePickle', () => {
  it('writes what CPython writes for a small dict (protocol 4, no frame, no memo)', () => {
    // CPython: pickle.dumps({'status': 'heartbeat'}, 4) minus FRAME and MEMOIZE opcodes
    expect(hex(writePickle({ status: 'heartbeat' }))).toBe(
      '80047d' + '8c06737461747573' + '8c09686561727462656174' + '732e',
    )
  })

  it.each([2, 3, 4] as const)(
    'round-trips every supported kind through readPickle (protocol %i)',
    (protocol) => {
      const value: PickleWritable = {
        none: null,
        bools: [true, false],
        ints: [0, 255, 256, 65536, -1, 2 ** 31, -(2 ** 40), 2n ** 100n, -(2n ** 2100n)],
        floats: [1.5, -0, Number.NEGATIVE_INFINITY, new PickleFloat(2)],
        text: ['', 'ascii', 'é€😀', 'x'.repeat(300)],
        bytes: [new Uint8Array([0, 255]), new Uint8Array(300).fill(7)],
        tuple: new PickleTuple([1, new PickleTuple([]), new PickleTuple([1, 2, 3, 4])]),
        map: new Map<PickleWritable, PickleWritable>([[1, 'one']]),
        set: new Set<PickleWritable>(['a']),
        nested: { deeper: { list: Array.from({ length: 2500 }, (_, i) => i) } },
      }
      expect(readPickle(writePickle(value, { protocol }))).toEqual({
        none: null,
        bools: [true, false],
        ints: [0, 255, 256, 65536, -1, 2 ** 31, -(2 ** 40), 2n ** 100n, -(2n ** 2100n)],
        floats: [1.5, -0, Number.NEGATIVE_INFINITY, 2],
        text: ['', 'ascii', 'é€😀', 'x'.repeat(300)],
        bytes: [new Uint8Array([0, 255]), new Uint8Array(300).fill(7)],
        tuple: [1, [], [1, 2, 3, 4]],
        map: new Map<PickleValue, PickleValue>([[1, 'one']]),
        set: new Set(['a']),
        nested: { deeper: { list: Array.from({ length: 2500 }, (_, i) => i) } },
      })
    },
  )

  it('round-trips numpy arrays of every dtype in the _reconstruct form', () => {
    const arrays = [
      toNumpyArray(new Float64Array([1.5, -2, 3]), [3]),
      toNumpyArray(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]),
      toNumpyArray(new Uint32Array([7, 8])),
      toNumpyArray(new Int32Array([-6])),
      toNumpyArray(new Uint16Array([65535])),
      toNumpyArray(new Int16Array([-1])),
      toNumpyArray(new Uint8Array([1, 2])),
      toNumpyArray(new Int8Array([-128])),
      toNumpyArray(new BigInt64Array([-1n])),
      toNumpyArray(new BigUint64Array([2n ** 64n - 1n])),
      toNumpyArray(new Float64Array([4]), []),
    ]
    for (const numpyModule of ['numpy.core', 'numpy._core'] as const) {
      const back = readPickle(writePickle(arrays, { numpyModule, protocol: 2 }))
      if (!Array.isArray(back)) throw new Error('not a list')
      back.forEach((a, i) => {
        if (!isNumpyArray(a)) throw new Error('not an array')
        expect(a.shape).toEqual(arrays[i]!.shape)
        expect(a.typestr).toBe(arrays[i]!.typestr)
        expect(a.data).toEqual(arrays[i]!.data)
      })
    }
    const text = Buffer.from(writePickle(arrays[0]!)).toString('latin1')
    expect(text).toContain('numpy.core.multiarray\n_reconstruct\n')
  })

  it('writes OrderedDicts when asked', () => {
    const bytes = writePickle({ b: 1, a: 2 }, { orderedDict: true, protocol: 2 })
    expect(Buffer.from(bytes).toString('latin1')).toContain('collections\nOrderedDict\n')
    expect(Object.keys(readPickle(bytes) ?? {})).toEqual(['b', 'a'])
  })

  it('refuses bare typed arrays, cycles and mismatched shapes', () => {
    expect(() => writePickle([new Float32Array(1)] as unknown as PickleWritable)).toThrow(
      /toNumpyArray/,
    )
    const cycle: PickleWritable[] = []
    cycle.push(cycle)
    expect(() => writePickle(cycle)).toThrow(ProtocolError)
    expect(() => toNumpyArray(new Uint8Array(5), [2, 3])).toThrow(/does not hold 5/)
  })

  it('round-trips arbitrary JSON-like values (property)', () => {
    const leaf = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
      fc.double({ noNaN: true }),
      fc.string({ unit: 'grapheme' }),
      fc.uint8Array({ maxLength: 20 }),
    )
    const { tree } = fc.letrec<{ tree: PickleWritable }>((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('tree'), { maxLength: 5 }),
        fc.dictionary(
          fc.string().filter((k) => k !== '__proto__'),
          tie('tree'),
          { maxKeys: 5 },
        ),
      ),
    }))
    const normalize = (v: unknown): unknown => {
      if (
        typeof v === 'bigint' &&
        v >= BigInt(Number.MIN_SAFE_INTEGER) &&
        v <= BigInt(Number.MAX_SAFE_INTEGER)
      ) {
        return Number(v)
      }
      if (Array.isArray(v)) return v.map(normalize)
      if (v instanceof Uint8Array) return v
      if (typeof v === 'object' && v !== null) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]))
      }
      return v
    }
    fc.assert(
      fc.property(tree, fc.constantFrom(2 as const, 3 as const, 4 as const), (value, protocol) => {
        expect(readPickle(writePickle(value, { protocol }))).toEqual(normalize(value))
      }),
      { numRuns: 300 },
    )
  })
})
