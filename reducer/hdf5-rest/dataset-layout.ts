/**
 * How a value of `publish` looks as an HDF5 dataset: its shape and element kind. Pure.
 *
 * - numbers: `float64`, always (a JavaScript number is one; an integer-valued number is not an
 *   integer type). So a dataset keeps its type for the whole scan whatever its values become
 *   (a map of NaN that fills with whole counts, a grid whose positions happen to be integers);
 *   integer types come from typed arrays (`Int32Array`, `BigInt64Array`…) and bigints;
 * - bigints: `int64` (`uint64` when one is 2^63 or more and none is negative);
 * - booleans: `bool`; strings and Dates: `string` (Dates as ISO text);
 * - typed arrays: one dimension of their own type (DataView: `uint8`);
 * - plain arrays: a rectangular nest of arrays / typed arrays whose leaves share a kind is one
 *   N-dimensional dataset (`[[1, 2], [3, 4]]` is 2×2 float64, a list of equal-length
 *   `Float32Array` rows is a 2-D float32 image); leaves of different numeric kinds combine to
 *   `int64` when all are typed integers (signed, or of at most 32 bits), else to `float64`;
 *   anything else (ragged, mixed with objects, strings with numbers) is not a dataset but a
 *   group of its elements, named `0`, `1`, … An empty list is a float64 dataset of shape [0].
 */

import type { DtypeName } from '../../src/internal.js'

/** Element kinds: numpy names of the numeric types, plus `bool` and `string`. */
export type ElementKind = DtypeName | 'bool' | 'string'

/** The numeric element kinds. */
export type NumericKind = Exclude<ElementKind, 'bool' | 'string'>

/** Shape (`[]` for a scalar) and element kind of a dataset. */
export interface DatasetLayout {
  readonly shape: readonly number[]
  readonly kind: ElementKind
}

/** The element kind of a typed array, by its constructor. */
export function typedArrayKind(value: ArrayBufferView): NumericKind {
  if (value instanceof Float64Array) return 'float64'
  if (value instanceof Float32Array) return 'float32'
  if (value instanceof Int32Array) return 'int32'
  if (value instanceof Uint32Array) return 'uint32'
  if (value instanceof Int16Array) return 'int16'
  if (value instanceof Uint16Array) return 'uint16'
  if (value instanceof Int8Array) return 'int8'
  if (value instanceof BigInt64Array) return 'int64'
  if (value instanceof BigUint64Array) return 'uint64'
  return 'uint8' // Uint8Array, Uint8ClampedArray, DataView (bytes)
}

const INT64_MAX = 2n ** 63n - 1n
const UINT64_MAX = 2n ** 64n - 1n
const INTEGER = new Set<ElementKind>([
  'uint8',
  'int8',
  'uint16',
  'int16',
  'uint32',
  'int32',
  'int64',
])

/** The dataset layout of `value`, or `undefined` when it is a group or nothing HDF5 can show. */
export function datasetLayout(value: unknown): DatasetLayout | undefined {
  switch (typeof value) {
    case 'number':
      return { shape: [], kind: 'float64' }
    case 'bigint': {
      const kind = bigintKind([value])
      return kind === undefined ? undefined : { shape: [], kind }
    }
    case 'boolean':
      return { shape: [], kind: 'bool' }
    case 'string':
      return { shape: [], kind: 'string' }
    case 'object':
      if (value === null) return undefined
      if (value instanceof Date) return { shape: [], kind: 'string' }
      if (ArrayBuffer.isView(value)) {
        const length = value instanceof DataView ? value.byteLength : arrayLength(value)
        return { shape: [length], kind: typedArrayKind(value) }
      }
      if (Array.isArray(value)) return arrayLayout(value)
      return undefined
    default:
      return undefined
  }
}

function arrayLength(view: ArrayBufferView): number {
  return (view as unknown as ArrayLike<unknown>).length
}

function bigintKind(values: readonly bigint[]): NumericKind | undefined {
  let negative = false
  let big = false
  for (const v of values) {
    if (v < 0n) negative = true
    if (v > INT64_MAX) big = true
    if (v > UINT64_MAX || v < -INT64_MAX - 1n) return undefined
  }
  if (big) return negative ? undefined : 'uint64'
  return 'int64'
}

function arrayLayout(list: readonly unknown[]): DatasetLayout | undefined {
  if (list.length === 0) return { shape: [0], kind: 'float64' }
  const first = list[0]
  switch (typeof first) {
    case 'number':
      return list.every((v) => typeof v === 'number')
        ? { shape: [list.length], kind: 'float64' }
        : undefined
    case 'boolean':
      return list.every((v) => typeof v === 'boolean')
        ? { shape: [list.length], kind: 'bool' }
        : undefined
    case 'string':
      return list.every((v) => typeof v === 'string')
        ? { shape: [list.length], kind: 'string' }
        : undefined
    case 'bigint': {
      if (!list.every((v) => typeof v === 'bigint')) return undefined
      const kind = bigintKind(list as bigint[])
      return kind === undefined ? undefined : { shape: [list.length], kind }
    }
    default:
      return nestedLayout(list)
  }
}

function nestedLayout(list: readonly unknown[]): DatasetLayout | undefined {
  let inner: DatasetLayout | undefined
  for (const item of list) {
    if (typeof item !== 'object' || item === null) return undefined
    if (!Array.isArray(item) && !(ArrayBuffer.isView(item) && !(item instanceof DataView))) {
      return undefined
    }
    const layout = datasetLayout(item)
    if (layout === undefined) return undefined
    if (inner === undefined) {
      inner = layout
      continue
    }
    if (!sameShape(inner.shape, layout.shape)) return undefined
    const kind = combineKinds(inner.kind, layout.kind)
    if (kind === undefined) return undefined
    inner = { shape: inner.shape, kind }
  }
  if (inner === undefined) return undefined
  return { shape: [list.length, ...inner.shape], kind: inner.kind }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i])
}

/** The kind that holds values of both kinds, if any (see the module comment). */
export function combineKinds(a: ElementKind, b: ElementKind): ElementKind | undefined {
  if (a === b) return a
  if (a === 'bool' || a === 'string' || b === 'bool' || b === 'string') return undefined
  if (INTEGER.has(a) && INTEGER.has(b)) return 'int64'
  return 'float64'
}
