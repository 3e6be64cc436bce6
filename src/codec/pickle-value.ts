import type { Dtype, NumericArray } from '../devices/dtype.js'

/**
 * A numpy array read from a pickle. `data` is flat, row-major (C order; Fortran-ordered
 * arrays are reordered on reading) and always in this machine's byte order, whatever
 * `dtype.littleEndian` says the wire used. Booleans (`|b1`) arrive as `uint8` data with
 * `typestr` `|b1`.
 */
export class NumpyArray {
  /** The element type as the pickle declared it (its byte order is the wire's). */
  readonly dtype: Dtype
  /** numpy's type string of the pickled dtype, e.g. `<f8`, `|b1`. */
  readonly typestr: string
  /** Dimensions; `[]` for a 0-d array (one element). */
  readonly shape: readonly number[]
  /** The elements, `shape` product many, host byte order. */
  readonly data: NumericArray

  constructor(dtype: Dtype, typestr: string, shape: readonly number[], data: NumericArray) {
    this.dtype = dtype
    this.typestr = typestr
    this.shape = shape
    this.data = data
  }
}

/**
 * A plain JS value built from a pickle. Mapping from Python:
 * - `None` → `null`; `bool` → `boolean`; `float` → `number`;
 * - `int` → `number`, or `bigint` beyond ±(2^53 − 1);
 * - `str` → `string`; `bytes`, `bytearray`, out-of-band buffers → `Uint8Array` (a view on
 *   the input for `bytes`, a copy for `bytearray`); protocol-0/1 `STRING`s (Python 2 `str`)
 *   → `string`, decoded as latin-1;
 * - `list` and `tuple` → arrays;
 * - `dict` and `collections.OrderedDict` → a plain object when every key is a string
 *   (insertion order kept, except that integer-like keys such as `'1'` come first, as JS
 *   objects do), otherwise a `Map`;
 * - `set` and `frozenset` → `Set`;
 * - numpy arrays → `NumpyArray`; numpy scalars → `number`, `bigint` (64-bit integers beyond
 *   2^53) or `boolean`; a bare `numpy.dtype` → its type string, e.g. `<f8`.
 */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | NumpyArray
  | PickleValue[]
  | PickleDict
  | Map<PickleValue, PickleValue>
  | Set<PickleValue>

/** A Python dict whose keys are all strings. */
export interface PickleDict {
  [key: string]: PickleValue
}

/** Guard: is this value a numpy array? */
export function isNumpyArray(value: unknown): value is NumpyArray {
  return value instanceof NumpyArray
}

/**
 * Guard: is this value a plain dict (a non-null object that is not an array, `Map`, `Set`,
 * typed array or `NumpyArray`)?
 */
export function isPickleDict(value: unknown): value is PickleDict {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Map) &&
    !(value instanceof Set) &&
    !(value instanceof NumpyArray) &&
    !ArrayBuffer.isView(value)
  )
}
