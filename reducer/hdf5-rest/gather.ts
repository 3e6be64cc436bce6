import type { DatasetLayout, ElementKind } from './dataset-layout.js'
import type { DimSelection } from './selection.js'

/** Numeric output buffers, one per numeric kind (booleans go into an `Int8Array`). */
export type FlatNumbers =
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

/** A copied selection: its elements in row-major order and its dims (`[]`: a scalar). */
export interface Gathered {
  readonly kind: ElementKind
  readonly dims: readonly number[]
  readonly data: FlatNumbers | string[]
}

type Ctor = new (n: number) => FlatNumbers

const CTORS: Readonly<Record<Exclude<ElementKind, 'string'>, Ctor>> = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  uint64: BigUint64Array,
  int64: BigInt64Array,
  float32: Float32Array,
  float64: Float64Array,
  bool: Int8Array,
}

/**
 * Copy the selected elements of a dataset value into a new flat buffer (never a view of the
 * value: the copy stays as it was when `processResult` later changes the value). Synchronous,
 * so the copy is one consistent snapshot. `value` must have `layout` (see `datasetLayout`) and
 * `sel` one entry per dimension.
 */
export function gather(
  value: unknown,
  layout: DatasetLayout,
  sel: readonly DimSelection[],
): Gathered {
  const dims = sel.map((d) => d.count)
  const total = dims.reduce((a, b) => a * b, 1)
  const kind = layout.kind
  if (kind === 'string') {
    const out: string[] = new Array(total)
    const cursor = { i: 0 }
    walk(value, sel, 0, (v) => {
      out[cursor.i++] = v instanceof Date ? v.toISOString() : String(v)
    })
    return { kind, dims, data: out }
  }
  const out = new CTORS[kind](total)
  const put = writer(out, kind)
  const cursor = { i: 0 }
  if (layout.shape.length === 0) {
    put(0, value)
    return { kind, dims, data: out }
  }
  walkNumbers(value, sel, 0, out, put, cursor)
  return { kind, dims, data: out }
}

function writer(out: FlatNumbers, kind: ElementKind): (i: number, v: unknown) => void {
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    const big = out as unknown as { [i: number]: bigint }
    return (i, v) => {
      big[i] = typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)))
    }
  }
  const num = out as unknown as { [i: number]: number }
  if (kind === 'bool') return (i, v) => (num[i] = v ? 1 : 0)
  return (i, v) => (num[i] = Number(v))
}

function elementAt(container: unknown, index: number): unknown {
  if (container instanceof DataView) return container.getUint8(index)
  return (container as ArrayLike<unknown>)[index]
}

/** Generic walk (strings). */
function walk(
  value: unknown,
  sel: readonly DimSelection[],
  d: number,
  emit: (v: unknown) => void,
): void {
  const dim = sel[d]
  if (dim === undefined) {
    emit(value)
    return
  }
  for (let k = 0, i = dim.start; k < dim.count; k++, i += dim.step) {
    walk(elementAt(value, i), sel, d + 1, emit)
  }
}

/** Numeric walk, with a bulk copy for the last dimension of a typed array of the output's type. */
function walkNumbers(
  value: unknown,
  sel: readonly DimSelection[],
  d: number,
  out: FlatNumbers,
  put: (i: number, v: unknown) => void,
  cursor: { i: number },
): void {
  const dim = sel[d] as DimSelection
  if (d === sel.length - 1) {
    if (dim.step === 1 && value instanceof (out.constructor as Ctor) && ArrayBuffer.isView(value)) {
      const src = (value as FlatNumbers).subarray(dim.start, dim.start + dim.count)
      ;(out as unknown as { set(a: FlatNumbers, o: number): void }).set(src, cursor.i)
      cursor.i += dim.count
      return
    }
    for (let k = 0, i = dim.start; k < dim.count; k++, i += dim.step) {
      put(cursor.i++, elementAt(value, i))
    }
    return
  }
  for (let k = 0, i = dim.start; k < dim.count; k++, i += dim.step) {
    walkNumbers(elementAt(value, i), sel, d + 1, out, put, cursor)
  }
}
