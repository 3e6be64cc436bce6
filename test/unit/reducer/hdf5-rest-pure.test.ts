import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { datasetLayout } from '../../../reducer/hdf5-rest/dataset-layout.js'
import { valueBytes, valueJson } from '../../../reducer/hdf5-rest/encode-value.js'
import { type FlatNumbers, gather } from '../../../reducer/hdf5-rest/gather.js'
import { h5Id, parseH5Id } from '../../../reducer/hdf5-rest/h5-id.js'
import { h5Shape, h5Type } from '../../../reducer/hdf5-rest/h5-type.js'
import { parseSelection } from '../../../reducer/hdf5-rest/selection.js'

function dims(text: string | undefined, shape: number[]) {
  const r = parseSelection(text, shape)
  if (!r.ok) throw new Error(r.message)
  return r.dims
}

describe('HDF5-REST ids', () => {
  it('are Dranspose ids: prefix + upper-case hex of the absolute path', () => {
    // '/image' in ASCII is 2F 69 6D 61 67 65 (the id Dranspose's tests use).
    expect(h5Id('datasets', ['image'])).toBe('d-h5dict-2F696D616765')
    expect(h5Id('groups', [])).toBe('g-h5dict-2F')
    expect(parseH5Id('d-h5dict-2F696D616765')).toEqual({ collection: 'datasets', path: ['image'] })
    expect(parseH5Id('g-h5dict-2f6d6170')).toEqual({ collection: 'groups', path: ['map'] })
  })

  it('round-trip any UTF-8 path and reject malformed ids', () => {
    const path = ['spaced group', 'ünïcødé', 'x_1']
    expect(parseH5Id(h5Id('groups', path))).toEqual({ collection: 'groups', path })
    for (const bad of [
      '',
      'g-h5dict-',
      'g-h5dict-2',
      'x-h5dict-2F',
      'g-h5dict-ZZ',
      'g-h5dict-61',
    ]) {
      expect(parseH5Id(bad)).toBeUndefined()
    }
  })
})

describe('dataset layouts', () => {
  it('maps scalars, typed arrays and rectangular lists', () => {
    // A JavaScript number is a float64, whatever its value: a dataset keeps its type.
    expect(datasetLayout(3)).toEqual({ shape: [], kind: 'float64' })
    expect(datasetLayout(0.5)).toEqual({ shape: [], kind: 'float64' })
    expect(datasetLayout(Number.NaN)).toEqual({ shape: [], kind: 'float64' })
    expect(datasetLayout(2n ** 63n)).toEqual({ shape: [], kind: 'uint64' })
    expect(datasetLayout(true)).toEqual({ shape: [], kind: 'bool' })
    expect(datasetLayout('x')).toEqual({ shape: [], kind: 'string' })
    expect(datasetLayout(new Date(0))).toEqual({ shape: [], kind: 'string' })
    expect(datasetLayout(new Uint16Array(5))).toEqual({ shape: [5], kind: 'uint16' })
    expect(datasetLayout([1, 2, 3])).toEqual({ shape: [3], kind: 'float64' })
    expect(datasetLayout([1n, 2n])).toEqual({ shape: [2], kind: 'int64' })
    expect(datasetLayout([1, 2.5])).toEqual({ shape: [2], kind: 'float64' })
    expect(
      datasetLayout([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
    ).toEqual({ shape: [3, 2], kind: 'float64' })
    expect(datasetLayout([new Int32Array(2), new Int32Array(2)])).toEqual({
      shape: [2, 2],
      kind: 'int32',
    })
    expect(datasetLayout([new Float32Array(4), new Float32Array(4)])).toEqual({
      shape: [2, 4],
      kind: 'float32',
    })
    expect(datasetLayout([new Int16Array(2), [0.5, 1]])).toEqual({ shape: [2, 2], kind: 'float64' })
    expect(datasetLayout([new Int16Array(2), new Uint8Array(2)])).toEqual({
      shape: [2, 2],
      kind: 'int64',
    })
    expect(datasetLayout(['a', 'b'])).toEqual({ shape: [2], kind: 'string' })
    expect(datasetLayout([])).toEqual({ shape: [0], kind: 'float64' })
  })

  it('leaves ragged and mixed lists, objects and nulls to groups', () => {
    expect(datasetLayout([[1, 2], [3]])).toBeUndefined()
    expect(datasetLayout([1, 'a'])).toBeUndefined()
    expect(datasetLayout([{ a: 1 }])).toBeUndefined()
    expect(datasetLayout([['a'], [1]])).toBeUndefined()
    expect(datasetLayout({ a: 1 })).toBeUndefined()
    expect(datasetLayout(null)).toBeUndefined()
  })
})

describe('HDF5 type descriptions', () => {
  it('describe every element kind', () => {
    expect(h5Type('uint16')).toEqual({ class: 'H5T_INTEGER', base: 'H5T_STD_U16LE' })
    expect(h5Type('int64')).toEqual({ class: 'H5T_INTEGER', base: 'H5T_STD_I64LE' })
    expect(h5Type('float32')).toEqual({ class: 'H5T_FLOAT', base: 'H5T_IEEE_F32LE' })
    expect(h5Type('string')).toMatchObject({ class: 'H5T_STRING', length: 'H5T_VARIABLE' })
    expect(h5Type('bool')).toEqual({
      class: 'H5T_ENUM',
      base: { class: 'H5T_INTEGER', base: 'H5T_STD_I8LE' },
      mapping: { FALSE: 0, TRUE: 1 },
    })
    expect(h5Shape({ shape: [], kind: 'int64' })).toEqual({ class: 'H5S_SCALAR' })
    expect(h5Shape({ shape: [2, 3], kind: 'int64' })).toEqual({ class: 'H5S_SIMPLE', dims: [2, 3] })
  })
})

describe('selections', () => {
  it('parse slices, steps, single indices and whole dimensions', () => {
    expect(dims('[2:5,7:20]', [10, 10])).toEqual([
      { start: 2, stop: 5, step: 1, count: 3 },
      { start: 7, stop: 10, step: 1, count: 3 },
    ])
    expect(dims('[0:10:3]', [10])).toEqual([{ start: 0, stop: 10, step: 3, count: 4 }])
    expect(dims('[4, :]', [10, 2])).toEqual([
      { start: 4, stop: 5, step: 1, count: 1 },
      { start: 0, stop: 2, step: 1, count: 2 },
    ])
    expect(dims('[-3:]', [10])).toEqual([{ start: 7, stop: 10, step: 1, count: 3 }])
    expect(dims('[1:1]', [10])).toEqual([{ start: 1, stop: 1, step: 1, count: 0 }])
    expect(dims(undefined, [2, 3]).map((d) => d.count)).toEqual([2, 3])
    expect(dims('[1]', [4, 3]).map((d) => d.count)).toEqual([1, 3])
    expect(dims('[]', [])).toEqual([])
  })

  it('reject bad text with a message', () => {
    const bad: [string, number[], RegExp][] = [
      ['[0:1,0:1]', [5], /2 dimensions given, the dataset has 1/],
      ['[a:b]', [5], /'a' is not an integer/],
      ['[0:5:0]', [5], /step 0 must be positive/],
      ['[0:5:-1]', [5], /step -1 must be positive/],
      ['[7]', [5], /index 7 is out of range for extent 5/],
      ['[1:2:3:4]', [5], /more than start:stop:step/],
      ['[0:1', [5], /expected \[start:stop:step/],
      ['[0]', [], /scalar/],
    ]
    for (const [text, shape, message] of bad) {
      const r = parseSelection(text, shape)
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.message).toMatch(message)
    }
  })
})

describe('gathering and encoding', () => {
  const image = [...Array(10).keys()].map((r) => [...Array(10).keys()].map((c) => r * 100 + c))

  it('copies a strided 2-D selection in row-major order, as numpy would', () => {
    const g = gather(image, { shape: [10, 10], kind: 'int64' }, dims('[2:5,7:20]', [10, 10]))
    expect(g.dims).toEqual([3, 3])
    expect([...(g.data as BigInt64Array)].map(Number)).toEqual([
      207, 208, 209, 307, 308, 309, 407, 408, 409,
    ])
    expect(valueJson(g)).toBe('[[207,208,209],[307,308,309],[407,408,409]]')
    const le = valueBytes(g.data as FlatNumbers)
    expect(le.readBigInt64LE(8)).toBe(208n)
    const step = gather(
      image,
      { shape: [10, 10], kind: 'int64' },
      dims('[1:10:4,0:10:5]', [10, 10]),
    )
    expect(valueJson(step)).toBe('[[100,105],[500,505],[900,905]]')
  })

  it('copies typed-array rows, never sharing their memory', () => {
    const rows = [new Uint16Array([1, 2, 3]), new Uint16Array([4, 5, 6])]
    const g = gather(rows, { shape: [2, 3], kind: 'uint16' }, dims(undefined, [2, 3]))
    rows[0]?.fill(9)
    expect([...(g.data as Uint16Array)]).toEqual([1, 2, 3, 4, 5, 6])
    const le = valueBytes(g.data as FlatNumbers)
    expect([...le]).toEqual([1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0])
  })

  it('encodes scalars, strings, booleans, non-finite numbers and big integers', () => {
    const one = (v: unknown) => {
      const layout = datasetLayout(v)
      if (layout === undefined) throw new Error('no layout')
      return valueJson(gather(v, layout, dims(undefined, [...layout.shape])))
    }
    expect(one(4)).toBe('4')
    expect(one('héllo "x"')).toBe('"héllo \\"x\\""')
    expect(one([true, false])).toBe('[1,0]')
    expect(
      one(new Float64Array([Number.NaN, 1.5, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])),
    ).toBe('[NaN,1.5,Infinity,-Infinity]')
    expect(one(new BigInt64Array([2n ** 62n + 1n]))).toBe('[4611686018427387905]')
    expect(one(new Date(0))).toBe('"1970-01-01T00:00:00.000Z"')
    expect(
      one([
        ['a', 'b'],
        ['c', 'd'],
      ]),
    ).toBe('[["a","b"],["c","d"]]')
  })
})

describe('selections against a reference (property)', () => {
  /** One slice per dimension as text, with the Python semantics spelled out independently. */
  const sliceArb = (n: number) =>
    fc.record({
      start: fc.option(fc.integer({ min: -n - 2, max: n + 2 }), { nil: undefined }),
      stop: fc.option(fc.integer({ min: -n - 2, max: n + 2 }), { nil: undefined }),
      step: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
    })

  /** Python's range(*slice(start, stop, step).indices(n)). */
  function pyIndices(
    s: { start?: number | undefined; stop?: number | undefined; step?: number | undefined },
    n: number,
  ) {
    const norm = (v: number | undefined, dflt: number) => {
      if (v === undefined) return dflt
      const w = v < 0 ? v + n : v
      return Math.max(0, Math.min(n, w))
    }
    const out: number[] = []
    for (let i = norm(s.start, 0); i < norm(s.stop, n); i += s.step ?? 1) out.push(i)
    return out
  }

  it('gather picks exactly the elements Python slicing would, in row-major order', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 })
          .chain((shape) =>
            fc.tuple(fc.constant(shape), fc.tuple(...shape.map((n) => sliceArb(n))), fc.boolean()),
          ),
        ([shape, slices, typed]) => {
          // A nest whose element at (i, j, k) is i*100 + j*10 + k; rows typed or plain.
          const build = (d: number, prefix: number): unknown => {
            const n = shape[d] as number
            if (d === shape.length - 1) {
              const row = Array.from({ length: n }, (_, i) => prefix * 10 + i)
              return typed ? Float64Array.from(row) : row
            }
            return Array.from({ length: n }, (_, i) => build(d + 1, (prefix * 10 + i) * 1))
          }
          const value = build(0, 0)
          const layout = datasetLayout(value)
          expect(layout?.shape).toEqual(shape)
          const text = `[${slices.map((s) => `${s.start ?? ''}:${s.stop ?? ''}${s.step === undefined ? '' : `:${s.step}`}`).join(',')}]`
          if (layout === undefined) throw new Error('a regular nest must be a dataset')
          const g = gather(value, layout, dims(text, shape))
          const axes = slices.map((s, d) => pyIndices(s, shape[d] as number))
          const expected: number[] = []
          const visit = (d: number, acc: number) => {
            if (d === axes.length) {
              expected.push(acc)
              return
            }
            for (const i of axes[d] as number[]) visit(d + 1, acc * 10 + i)
          }
          visit(0, 0)
          expect(g.dims).toEqual(axes.map((a) => a.length))
          expect(Array.from(g.data as ArrayLike<number | bigint>, Number)).toEqual(expected)
        },
      ),
      { numRuns: 300 },
    )
  })
})
