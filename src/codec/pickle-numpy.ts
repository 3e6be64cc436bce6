import {
  type Dtype,
  type DtypeName,
  HOST_LITTLE_ENDIAN,
  type NumericArray,
  shapeSize,
  viewAs,
} from '../devices/dtype.js'
import { ProtocolError } from '../errors.js'
import { normalizeInt } from './pickle-input.js'
import { asBytes, describe, PyArrayBuilder, PyGlobal } from './pickle-objects.js'
import { latin1Bytes } from './pickle-text.js'
import { NumpyArray } from './pickle-value.js'

const KINDS: Readonly<Record<string, DtypeName>> = {
  b1: 'uint8',
  i1: 'int8',
  u1: 'uint8',
  i2: 'int16',
  u2: 'uint16',
  i4: 'int32',
  u4: 'uint32',
  i8: 'int64',
  u8: 'uint64',
  f4: 'float32',
  f8: 'float64',
}

/** A `numpy.dtype` being reconstructed: `dtype('f8', False, True)` then BUILD with its state. */
export class PyDtype {
  readonly code: string
  readonly name: DtypeName
  private order: string

  constructor(spec: string) {
    const order = spec[0] === '<' || spec[0] === '>' || spec[0] === '=' || spec[0] === '|'
    const code = order ? spec.slice(1) : spec
    const name = Object.hasOwn(KINDS, code) ? KINDS[code] : undefined
    if (name === undefined) {
      throw new ProtocolError(
        `pickle: numpy dtype '${spec}' is not supported (only bool, integer and float types)`,
      )
    }
    this.code = code
    this.name = name
    this.order = order ? spec[0]! : '='
  }

  /** BUILD: `(version, byteorder, subarray, names, fields, elsize, alignment, flags[, meta])`. */
  setState(state: unknown): void {
    if (!Array.isArray(state) || state.length < 5 || typeof state[1] !== 'string') {
      throw new ProtocolError('pickle: numpy dtype state is not (version, byteorder, …)')
    }
    if (state[2] !== null || state[3] !== null || state[4] !== null) {
      throw new ProtocolError('pickle: structured or sub-array numpy dtypes are not supported')
    }
    if (!['<', '>', '=', '|'].includes(state[1])) {
      throw new ProtocolError(`pickle: numpy dtype byte order '${state[1]}' is not valid`)
    }
    this.order = state[1]
  }

  get itemSize(): number {
    return Number(this.code.slice(1))
  }

  get dtype(): Dtype {
    const littleEndian = this.itemSize === 1 || this.order !== '>'
    return { name: this.name, itemSize: this.itemSize, littleEndian }
  }

  get typestr(): string {
    const order = this.itemSize === 1 ? '|' : this.order === '>' ? '>' : '<'
    return `${order}${this.code}`
  }
}

function asDtype(value: unknown, what: string): PyDtype {
  if (value instanceof PyDtype) return value
  throw new ProtocolError(`pickle: ${what} expects a numpy dtype, got ${describe(value)}`)
}

function asShape(value: unknown): number[] {
  if (!Array.isArray(value)) throw new ProtocolError('pickle: numpy shape is not a tuple')
  return value.map((dim) => {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      throw new ProtocolError(`pickle: numpy shape dimension ${String(dim)} is not valid`)
    }
    return dim
  })
}

/** Reorders the elements of a Fortran-ordered (column-major) buffer into C order. */
function fortranToC(bytes: Uint8Array, shape: readonly number[], itemSize: number): Uint8Array {
  const out = new Uint8Array(bytes.length)
  const ndim = shape.length
  const fStride: number[] = []
  let stride = 1
  for (const dim of shape) {
    fStride.push(stride)
    stride *= dim
  }
  const index = new Array<number>(ndim).fill(0)
  const count = bytes.length / itemSize
  for (let c = 0; c < count; c++) {
    let f = 0
    for (let k = 0; k < ndim; k++) f += index[k]! * fStride[k]!
    out.set(bytes.subarray(f * itemSize, (f + 1) * itemSize), c * itemSize)
    for (let k = ndim - 1; k >= 0; k--) {
      if (++index[k]! < shape[k]!) break
      index[k] = 0
    }
  }
  return out
}

function fromList(dtype: PyDtype, items: readonly unknown[]): NumericArray {
  const host: Dtype = { ...dtype.dtype, littleEndian: HOST_LITTLE_ENDIAN }
  const data = viewAs(new Uint8Array(items.length * dtype.itemSize), host)
  items.forEach((item, i) => {
    if (typeof item !== 'number' && typeof item !== 'bigint' && typeof item !== 'boolean') {
      throw new ProtocolError(`pickle: numpy ${dtype.name} array holds ${describe(item)}`)
    }
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
      data[i] = typeof item === 'bigint' ? item : BigInt(Math.trunc(Number(item)))
    } else data[i] = Number(item)
  })
  return data
}

/** Builds the array from raw bytes (or a latin-1 string, or a list of numbers). */
function makeArray(dtype: PyDtype, shape: number[], raw: unknown, fortran: boolean): NumpyArray {
  const elements = shapeSize(shape)
  if (Array.isArray(raw)) {
    if (raw.length !== elements) {
      throw new ProtocolError(`pickle: numpy array of shape [${shape}] has ${raw.length} items`)
    }
    const data = fromList(dtype, raw)
    return new NumpyArray(dtype.dtype, dtype.typestr, shape, data)
  }
  let bytes = typeof raw === 'string' ? latin1Bytes(raw) : asBytes(raw)
  if (bytes === undefined) throw new ProtocolError(`pickle: numpy array data is ${describe(raw)}`)
  if (bytes.length !== elements * dtype.itemSize) {
    throw new ProtocolError(
      `pickle: numpy array of shape [${shape}] ${dtype.typestr} needs ${elements * dtype.itemSize} bytes, got ${bytes.length}`,
    )
  }
  if (fortran && shape.length > 1) bytes = fortranToC(bytes, shape, dtype.itemSize)
  return new NumpyArray(dtype.dtype, dtype.typestr, shape, viewAs(bytes, dtype.dtype))
}

/** `numpy.dtype(spec, align, copy)`. */
export function callDtype(args: readonly unknown[]): PyDtype {
  const spec = args[0]
  if (typeof spec !== 'string') throw new ProtocolError('pickle: numpy.dtype needs a type string')
  return new PyDtype(spec)
}

/** `numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b')`: an empty array to BUILD. */
export function callReconstruct(args: readonly unknown[]): PyArrayBuilder {
  const cls = args[0]
  if (!(cls instanceof PyGlobal) || cls.qualifiedName !== 'numpy.ndarray') {
    throw new ProtocolError(`pickle: _reconstruct only builds numpy.ndarray, got ${describe(cls)}`)
  }
  return new PyArrayBuilder()
}

/** BUILD on an array: `(version, shape, dtype, is_fortran, data)` (or without the version). */
export function buildArray(target: PyArrayBuilder, state: unknown): void {
  if (!Array.isArray(state) || (state.length !== 5 && state.length !== 4)) {
    throw new ProtocolError(
      'pickle: numpy array state is not (version, shape, dtype, fortran, data)',
    )
  }
  const [shape, dtype, fortran, raw] = state.length === 5 ? state.slice(1) : state
  if (target.array !== undefined) throw new ProtocolError('pickle: numpy array built twice')
  target.array = makeArray(
    asDtype(dtype, 'ndarray state'),
    asShape(shape),
    raw,
    fortran === true || fortran === 1,
  )
}

/** `numpy._core.numeric._frombuffer(buffer, dtype, shape, order)` (protocol 5). */
export function callFromBuffer(args: readonly unknown[]): NumpyArray {
  const [buffer, dtype, shape, order] = args
  if (order !== 'C' && order !== 'F') {
    throw new ProtocolError(`pickle: _frombuffer order '${String(order)}' is not 'C' or 'F'`)
  }
  return makeArray(
    asDtype(dtype, '_frombuffer'),
    asShape(shape),
    asBytes(buffer) ?? null,
    order === 'F',
  )
}

/** `numpy.core.multiarray.scalar(dtype, raw)`: one element, as a plain JS value. */
export function callScalar(args: readonly unknown[]): number | bigint | boolean {
  const dtype = asDtype(args[0], 'scalar')
  const array = makeArray(dtype, [], args[1], false)
  const value = array.data[0]!
  if (dtype.code === 'b1') return value !== 0
  return typeof value === 'bigint' ? normalizeInt(value) : value
}
