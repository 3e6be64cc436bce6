import { addExtension } from 'cbor-x'
import { ProtocolError } from '../errors.js'

/**
 * CBOR tags a Python analysis puts in result payloads and `publish` (python/beamloom/payload.py),
 * and what a TypeScript reader sees for them:
 *
 * - tag 40 (RFC 8746 multi-dimensional array, `[shape, typed array]`, row-major): shape `[]`
 *   is a scalar (a number; a bigint beyond 2^53); one dimension is the typed array; N
 *   dimensions are nested arrays whose innermost rows are typed arrays over the one buffer
 *   (`[[Uint16Array(4) ×3] ×2]` for shape [2, 3, 4]), the form the reducer's surfaces serve as an
 *   N-dimensional dataset of that dtype;
 * - tag {@link NDARRAY_TAG} (`[numpy dtype string, shape, bytes]`, dtypes without a typed-array
 *   tag): bool as booleans, float16 as Float32Array, big-endian numbers as native typed
 *   arrays, complex as `{ real, imag }`, `U`/`S` strings as strings, nested as above;
 * - tag {@link DATACLASS_TAG} (`[class name, fields]`): the plain field object;
 * - tag {@link TUPLE_TAG} (`[items]`): the array.
 */
export const NDARRAY_TAG = 42885
export const DATACLASS_TAG = 42886
export const TUPLE_TAG = 42887
export const MULTI_DIM_TAG = 40

type TypedArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigUint64Array
  | BigInt64Array
  | Float32Array
  | Float64Array

const MAX_EMPTY_ROWS = 65_536

function fail(what: string): never {
  throw new ProtocolError(`result payload: ${what}`)
}

function checkShape(shape: unknown, count: number): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail('array shape is not a list of sizes')
  }
  const dims = shape as number[]
  const size = dims.reduce((a, b) => a * b, 1)
  if (size !== count) fail(`array of shape [${dims.join(', ')}] has ${count} items`)
  // An empty array can claim any number of empty rows: bound them, they are built one by one.
  const rows = dims.slice(0, -1).reduce((a, b) => a * b, 1)
  if (rows > Math.max(count, MAX_EMPTY_ROWS))
    fail(`array of shape [${dims.join(', ')}] has too many empty rows`)
  return dims
}

/** Rows of `flat` nested by `shape` (at least two dimensions); rows are subarray views. */
function nest<T>(
  flat: T,
  length: (t: T) => number,
  slice: (t: T, a: number, b: number) => unknown,
  shape: readonly number[],
): unknown {
  const rowLength = shape[shape.length - 1] ?? 0
  let level: unknown[] = []
  const rows =
    rowLength === 0 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : length(flat) / rowLength
  for (let r = 0; r < rows; r++) level.push(slice(flat, r * rowLength, (r + 1) * rowLength))
  for (let d = shape.length - 2; d > 0; d--) {
    const n = shape[d] ?? 0
    const next: unknown[] = []
    for (let i = 0; i < level.length; i += n) next.push(level.slice(i, i + n))
    level =
      n === 0
        ? Array.from({ length: shape.slice(0, d).reduce((a, b) => a * b, 1) }, () => [])
        : next
  }
  return level
}

function scalar(value: unknown): unknown {
  if (typeof value === 'bigint' && value >= -(2n ** 53n) && value <= 2n ** 53n) return Number(value)
  return value
}

/** An array of `shape` over `flat` (a typed array or a plain list): scalar, 1-D or nested. */
export function shapeArray(flat: TypedArray | unknown[], shape: readonly number[]): unknown {
  if (shape.length === 0) return scalar(flat[0])
  if (shape.length === 1) return flat
  if (Array.isArray(flat))
    return nest(
      flat,
      (t) => t.length,
      (t, a, b) => t.slice(a, b),
      shape,
    )
  return nest(
    flat,
    (t) => t.length,
    (t, a, b) => t.subarray(a, b),
    shape,
  )
}

function decodeMultiDim(value: unknown): unknown {
  if (!Array.isArray(value) || value.length !== 2) fail('tag 40 content is not [shape, array]')
  const [shape, data] = value as [unknown, unknown]
  if (!(ArrayBuffer.isView(data) && !(data instanceof DataView)) && !Array.isArray(data)) {
    fail('tag 40 data is not a typed array')
  }
  const flat = data as TypedArray | unknown[]
  return shapeArray(flat, checkShape(shape, flat.length))
}

const NUMERIC: Record<
  string,
  [number, (b: ArrayBuffer) => TypedArray, (v: DataView, o: number, le: boolean) => number | bigint]
> = {
  u1: [1, (b) => new Uint8Array(b), (v, o) => v.getUint8(o)],
  i1: [1, (b) => new Int8Array(b), (v, o) => v.getInt8(o)],
  u2: [2, (b) => new Uint16Array(b), (v, o, le) => v.getUint16(o, le)],
  i2: [2, (b) => new Int16Array(b), (v, o, le) => v.getInt16(o, le)],
  u4: [4, (b) => new Uint32Array(b), (v, o, le) => v.getUint32(o, le)],
  i4: [4, (b) => new Int32Array(b), (v, o, le) => v.getInt32(o, le)],
  u8: [8, (b) => new BigUint64Array(b), (v, o, le) => v.getBigUint64(o, le)],
  i8: [8, (b) => new BigInt64Array(b), (v, o, le) => v.getBigInt64(o, le)],
  f2: [2, (b) => new Float32Array(b), (v, o, le) => float16(v.getUint16(o, le))],
  f4: [4, (b) => new Float32Array(b), (v, o, le) => v.getFloat32(o, le)],
  f8: [8, (b) => new Float64Array(b), (v, o, le) => v.getFloat64(o, le)],
}

function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1
  const exp = (bits >> 10) & 0x1f
  const frac = bits & 0x3ff
  if (exp === 0) return sign * frac * 2 ** -24
  if (exp === 31) return frac === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN
  return sign * (1 + frac / 1024) * 2 ** (exp - 15)
}

/** Items of a numeric dtype read from `bytes` in the dtype's byte order, as a native typed array. */
function numeric(kind: string, littleEndian: boolean, bytes: Uint8Array): TypedArray {
  const spec = NUMERIC[kind]
  if (spec === undefined) fail(`numpy dtype '${kind}' is not supported`)
  const [size, make, read] = spec
  if (bytes.length % size !== 0) fail(`${bytes.length} bytes are not whole ${kind} items`)
  const count = bytes.length / size
  const out = make(new ArrayBuffer(count * (kind === 'f2' ? 4 : size)))
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let i = 0; i < count; i++)
    (out as unknown as (number | bigint)[])[i] = read(view, i * size, littleEndian)
  return out
}

function strings(kind: 'U' | 'S', width: number, bytes: Uint8Array): string[] {
  const size = kind === 'U' ? width * 4 : width
  if (size === 0 || bytes.length % size !== 0)
    fail(`${bytes.length} bytes are not whole ${kind}${width} items`)
  const out: string[] = []
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let at = 0; at < bytes.length; at += size) {
    let text = ''
    for (let i = 0; i < width; i++) {
      const code = kind === 'U' ? view.getUint32(at + i * 4, true) : view.getUint8(at + i)
      if (code === 0) break
      text += String.fromCodePoint(code)
    }
    out.push(text)
  }
  return out
}

function decodeNdarray(value: unknown): unknown {
  if (!Array.isArray(value) || value.length !== 3)
    fail(`tag ${NDARRAY_TAG} content is not [dtype, shape, bytes]`)
  const [dtype, shape, raw] = value as [unknown, unknown, unknown]
  if (typeof dtype !== 'string' || !(raw instanceof Uint8Array))
    fail(`tag ${NDARRAY_TAG} content is not [dtype, shape, bytes]`)
  const match = /^([<>|=])([a-zA-Z])(\d+)$/.exec(dtype)
  if (match === null) fail(`numpy dtype '${dtype}' is not supported`)
  const [, order, letter, digits] = match as unknown as [string, string, string, string]
  const width = Number(digits)
  const le = order !== '>'
  if (letter === 'b') {
    const flags = Array.from(raw, (b) => b !== 0)
    return shapeArray(flags, checkShape(shape, flags.length))
  }
  if (letter === 'U' || letter === 'S') {
    const items = strings(letter, width, raw)
    return shapeArray(items, checkShape(shape, items.length))
  }
  if (letter === 'c') {
    const parts = numeric(`f${width / 2}`, le, raw)
    const real = parts.filter((_, i) => i % 2 === 0) as TypedArray
    const imag = parts.filter((_, i) => i % 2 === 1) as TypedArray
    const dims = checkShape(shape, real.length)
    return { real: shapeArray(real, dims), imag: shapeArray(imag, dims) }
  }
  const flat = numeric(`${letter}${width}`, le, raw)
  return shapeArray(flat, checkShape(shape, flat.length))
}

/** Never instantiated: cbor-x wants a class per extension; these tags are only decoded. */
class DecodeOnly {}

let registered = false

/**
 * Teach cbor-x to decode the payload tags (idempotent). cbor-x's extensions are process-wide;
 * no other CBOR beamloom reads carries these tags (the Eiger V2 reader has its own decoder).
 */
export function registerPayloadTags(): void {
  if (registered) return
  registered = true
  const encode = (): never => fail('payload tags are only decoded')
  addExtension({ Class: DecodeOnly, tag: MULTI_DIM_TAG, encode, decode: decodeMultiDim })
  addExtension({ Class: DecodeOnly, tag: NDARRAY_TAG, encode, decode: decodeNdarray })
  addExtension({
    Class: DecodeOnly,
    tag: DATACLASS_TAG,
    encode,
    decode: (value: unknown) => {
      if (!Array.isArray(value) || value.length !== 2)
        fail(`tag ${DATACLASS_TAG} content is not [name, fields]`)
      return value[1]
    },
  })
  addExtension({
    Class: DecodeOnly,
    tag: TUPLE_TAG,
    encode,
    decode: (value: unknown) =>
      Array.isArray(value) ? value : fail(`tag ${TUPLE_TAG} content is not a list`),
  })
}
