import { ProtocolError } from '../errors.js'

/** Canonical element types, named as numpy names them. */
export type DtypeName =
  | 'uint8'
  | 'int8'
  | 'uint16'
  | 'int16'
  | 'uint32'
  | 'int32'
  | 'uint64'
  | 'int64'
  | 'float32'
  | 'float64'

/** A typed array of any supported element type. */
export type NumericArray =
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

/** An element type as it is laid out on the wire. */
export interface Dtype {
  readonly name: DtypeName
  /** Bytes per element. */
  readonly itemSize: number
  /** Byte order on the wire; single-byte types count as little endian. */
  readonly littleEndian: boolean
}

interface DtypeInfo {
  readonly itemSize: number
  /** numpy kind and size, as in `<u2`. */
  readonly code: string
  readonly make: (buffer: ArrayBufferLike, byteOffset: number, length: number) => NumericArray
}

const INFO: Readonly<Record<DtypeName, DtypeInfo>> = {
  uint8: { itemSize: 1, code: 'u1', make: (b, o, n) => new Uint8Array(b, o, n) },
  int8: { itemSize: 1, code: 'i1', make: (b, o, n) => new Int8Array(b, o, n) },
  uint16: { itemSize: 2, code: 'u2', make: (b, o, n) => new Uint16Array(b, o, n) },
  int16: { itemSize: 2, code: 'i2', make: (b, o, n) => new Int16Array(b, o, n) },
  uint32: { itemSize: 4, code: 'u4', make: (b, o, n) => new Uint32Array(b, o, n) },
  int32: { itemSize: 4, code: 'i4', make: (b, o, n) => new Int32Array(b, o, n) },
  uint64: { itemSize: 8, code: 'u8', make: (b, o, n) => new BigUint64Array(b, o, n) },
  int64: { itemSize: 8, code: 'i8', make: (b, o, n) => new BigInt64Array(b, o, n) },
  float32: { itemSize: 4, code: 'f4', make: (b, o, n) => new Float32Array(b, o, n) },
  float64: { itemSize: 8, code: 'f8', make: (b, o, n) => new Float64Array(b, o, n) },
}

/** Every supported dtype name. */
export const DTYPE_NAMES: readonly DtypeName[] = Object.freeze([
  'uint8',
  'int8',
  'uint16',
  'int16',
  'uint32',
  'int32',
  'uint64',
  'int64',
  'float32',
  'float64',
])

/** numpy type codes (`u2`) to names. */
const NAMES = new Map<string, DtypeName>(DTYPE_NAMES.map((name) => [INFO[name].code, name]))

/** Byte order of this machine; typed arrays use it. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

function isDtypeName(s: string): s is DtypeName {
  return Object.hasOwn(INFO, s)
}

/**
 * Parses a dtype as devices write it: a numpy name (`uint16`, `float32`) or a numpy type
 * string (`<u2`, `>f4`, `|u1`, `=i4`, `u2`). Names and `=`/bare codes mean little endian:
 * every detector host beamloom meets is little endian, and numpy's "native" there is `<`.
 *
 * @throws ProtocolError with code `PROTOCOL_INVALID` for anything else.
 */
export function parseDtype(spec: string): Dtype {
  if (isDtypeName(spec)) return { name: spec, itemSize: INFO[spec].itemSize, littleEndian: true }
  const order = spec[0]
  const hasOrder = order === '<' || order === '>' || order === '=' || order === '|'
  const name = NAMES.get(hasOrder ? spec.slice(1) : spec)
  if (name === undefined || (order === '|' && INFO[name].itemSize !== 1)) {
    throw new ProtocolError(
      `unknown dtype '${spec}' (expected a numpy name such as 'uint16' or a type string such as '<u2')`,
    )
  }
  const littleEndian = order !== '>' || INFO[name].itemSize === 1
  return { name, itemSize: INFO[name].itemSize, littleEndian }
}

/** The numpy type string of a dtype, e.g. `<u2`, `|u1`. */
export function dtypeTypestr(dtype: Dtype): string {
  const order = dtype.itemSize === 1 ? '|' : dtype.littleEndian ? '<' : '>'
  return `${order}${INFO[dtype.name].code}`
}

/** The dtype (host byte order) of a typed array. */
export function dtypeOf(array: NumericArray): Dtype {
  const name = arrayDtypeName(array)
  return { name, itemSize: INFO[name].itemSize, littleEndian: HOST_LITTLE_ENDIAN }
}

function arrayDtypeName(array: NumericArray): DtypeName {
  if (array instanceof Uint8Array) return 'uint8'
  if (array instanceof Int8Array) return 'int8'
  if (array instanceof Uint16Array) return 'uint16'
  if (array instanceof Int16Array) return 'int16'
  if (array instanceof Uint32Array) return 'uint32'
  if (array instanceof Int32Array) return 'int32'
  if (array instanceof BigUint64Array) return 'uint64'
  if (array instanceof BigInt64Array) return 'int64'
  if (array instanceof Float32Array) return 'float32'
  return 'float64'
}

/** The bytes of a typed array, without copying. */
export function bytesOf(array: NumericArray): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
}

/**
 * Views `bytes` as a typed array of `dtype`. Zero-copy when the bytes are aligned to the
 * element size and in host byte order; otherwise the result is a copy (byte-swapped when the
 * wire order differs from the host's), so the caller never sees misaligned or foreign-order
 * values.
 *
 * @throws ProtocolError with code `PROTOCOL_INVALID` when the length is not whole elements.
 */
export function viewAs(bytes: Uint8Array, dtype: Dtype): NumericArray {
  const { itemSize } = dtype
  if (bytes.length % itemSize !== 0) {
    throw new ProtocolError(
      `${bytes.length} bytes are not a whole number of ${dtype.name} elements (${itemSize} bytes)`,
    )
  }
  const length = bytes.length / itemSize
  const make = INFO[dtype.name].make
  const swap = itemSize > 1 && dtype.littleEndian !== HOST_LITTLE_ENDIAN
  if (!swap && bytes.byteOffset % itemSize === 0)
    return make(bytes.buffer, bytes.byteOffset, length)
  // Not `bytes.slice()`: on a Node Buffer (what zmq and cbor-x hand out) that is a view.
  const copy = new Uint8Array(bytes.length)
  copy.set(bytes)
  if (swap) swapBytes(copy, itemSize)
  return make(copy.buffer, 0, length)
}

/** Reverses the byte order of every `itemSize`-byte element of `bytes`, in place. */
export function swapBytes(bytes: Uint8Array, itemSize: number): void {
  for (let at = 0; at + itemSize <= bytes.length; at += itemSize) {
    for (let i = 0, j = at + itemSize - 1, k = at; i < itemSize >> 1; i++, j--, k++) {
      const t = bytes[k]!
      bytes[k] = bytes[j]!
      bytes[j] = t
    }
  }
}

/** Number of elements of an array `shape`; throws when it is not a safe integer. */
export function shapeSize(shape: readonly number[]): number {
  let size = 1
  for (const dim of shape) size *= dim
  if (!Number.isSafeInteger(size)) throw new ProtocolError(`shape [${shape}] is too large`)
  return size
}
