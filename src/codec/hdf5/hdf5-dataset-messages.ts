import type { DtypeName } from '../../devices/dtype.js'
import { Hdf5Cursor, type Hdf5Sizes } from './hdf5-cursor.js'

/** The dataspace of a dataset: current and maximum dimensions (`null` = unlimited). */
export interface Dataspace {
  readonly dims: readonly number[]
  readonly maxDims: readonly (number | null)[]
}

/** A numeric element type. */
export interface NumericType {
  readonly name: DtypeName
  readonly itemSize: number
  readonly littleEndian: boolean
}

/** One filter of a dataset's pipeline, in the order they were applied when writing. */
export interface Hdf5Filter {
  readonly id: number
  readonly name: string
  /** Bit 0: optional (a chunk may skip it; its filter mask says so). */
  readonly flags: number
  readonly cdValues: readonly number[]
}

/** How a dataset's chunks are indexed (layout message version 3 and 4). */
export type ChunkIndex =
  | { readonly type: 'btree-v1'; readonly address: number | undefined }
  | {
      readonly type: 'single'
      readonly address: number | undefined
      /** For a filtered chunk: its stored size and filter mask. */
      readonly filtered?: { readonly size: number; readonly mask: number }
    }
  | { readonly type: 'implicit'; readonly address: number | undefined }
  | { readonly type: 'fixed-array'; readonly address: number | undefined }
  | { readonly type: 'extensible-array'; readonly address: number | undefined }
  | { readonly type: 'btree-v2'; readonly address: number | undefined }

/** Where a dataset's elements are stored. */
export type DataLayout =
  | { readonly kind: 'compact'; readonly data: Uint8Array }
  | { readonly kind: 'contiguous'; readonly address: number | undefined; readonly size: number }
  | {
      readonly kind: 'chunked'
      /** Chunk dimensions, one per dataset dimension (the element-size dimension removed). */
      readonly chunkDims: readonly number[]
      readonly index: ChunkIndex
    }

/** Parse a dataspace message (versions 1 and 2). */
export function parseDataspace(data: Uint8Array, sizes: Hdf5Sizes, where: string): Dataspace {
  const c = new Hdf5Cursor(data, sizes, `${where} dataspace`)
  const version = c.u8()
  const rank = c.u8()
  const flags = c.u8()
  if (version === 1) c.skip(5)
  else if (version === 2) c.skip(1)
  else throw c.error(`dataspace version ${version}`)
  const dims = Array.from({ length: rank }, () => c.length())
  const maxDims: (number | null)[] = []
  for (let i = 0; i < rank; i++) {
    if (flags & 1) {
      const raw = c.bytes(sizes.lengthSize)
      maxDims.push(raw.every((b) => b === 0xff) ? null : new Hdf5Cursor(raw, sizes, where).length())
    } else {
      maxDims.push(dims[i]!)
    }
  }
  return { dims, maxDims }
}

const INTEGERS: Readonly<Record<string, DtypeName>> = {
  u1: 'uint8',
  i1: 'int8',
  u2: 'uint16',
  i2: 'int16',
  u4: 'uint32',
  i4: 'int32',
  u8: 'uint64',
  i8: 'int64',
}

/**
 * Parse a datatype message as a numeric type; `undefined` for any other class (strings,
 * compounds, …) or size (half floats).
 */
export function parseNumericType(
  data: Uint8Array,
  sizes: Hdf5Sizes,
  where: string,
): NumericType | undefined {
  const c = new Hdf5Cursor(data, sizes, `${where} datatype`)
  const classAndVersion = c.u8()
  const typeClass = classAndVersion & 0x0f
  const bits0 = c.u8()
  c.skip(2)
  const size = c.u32()
  if (typeClass === 0) {
    const name = INTEGERS[`${bits0 & 0x08 ? 'i' : 'u'}${size}`]
    return name === undefined
      ? undefined
      : { name, itemSize: size, littleEndian: (bits0 & 1) === 0 }
  }
  if (typeClass === 1 && (size === 4 || size === 8) && (bits0 & 0x40) === 0) {
    return {
      name: size === 4 ? 'float32' : 'float64',
      itemSize: size,
      littleEndian: (bits0 & 1) === 0,
    }
  }
  return undefined
}

/** Parse a filter pipeline message (versions 1 and 2). */
export function parseFilterPipeline(
  data: Uint8Array,
  sizes: Hdf5Sizes,
  where: string,
): Hdf5Filter[] {
  const c = new Hdf5Cursor(data, sizes, `${where} filter pipeline`)
  const version = c.u8()
  const count = c.u8()
  if (version === 1) c.skip(6)
  else if (version !== 2) throw c.error(`filter pipeline version ${version}`)
  const out: Hdf5Filter[] = []
  for (let f = 0; f < count; f++) {
    const id = c.u16()
    const nameLength = version === 1 || id >= 256 ? c.u16() : 0
    const flags = c.u16()
    const nValues = c.u16()
    const nameBytes = c.bytes(nameLength)
    const end = nameBytes.indexOf(0)
    const name = new TextDecoder().decode(end >= 0 ? nameBytes.subarray(0, end) : nameBytes)
    const cdValues = Array.from({ length: nValues }, () => c.u32())
    if (version === 1 && nValues % 2 === 1) c.skip(4)
    out.push({ id, name, flags, cdValues })
  }
  return out
}

/**
 * Parse a fill value message (new: versions 1–3; old: type 4) into the fill value's bytes, or
 * `undefined` when none is defined (the fill is then zeros).
 */
export function parseFillValue(
  data: Uint8Array,
  sizes: Hdf5Sizes,
  where: string,
  old: boolean,
): Uint8Array | undefined {
  const c = new Hdf5Cursor(data, sizes, `${where} fill value`)
  if (old) {
    const size = c.u32()
    return size === 0 ? undefined : c.bytes(size)
  }
  const version = c.u8()
  if (version === 1 || version === 2) {
    c.skip(2)
    const defined = c.u8()
    if (version === 2 && defined === 0) return undefined
    if (c.remaining < 4) return undefined
    const size = c.u32()
    return size === 0 ? undefined : c.bytes(size)
  }
  if (version === 3) {
    const flags = c.u8()
    if ((flags & 0x20) === 0) return undefined
    const size = c.u32()
    return size === 0 ? undefined : c.bytes(size)
  }
  throw c.error(`fill value version ${version}`)
}

/** Parse a data layout message (versions 3 and 4). */
export function parseLayout(data: Uint8Array, sizes: Hdf5Sizes, where: string): DataLayout {
  const c = new Hdf5Cursor(data, sizes, `${where} layout`)
  const version = c.u8()
  if (version !== 3 && version !== 4)
    throw c.error(`data layout version ${version} is not supported`)
  const layoutClass = c.u8()
  if (layoutClass === 0) return { kind: 'compact', data: c.bytes(c.u16()) }
  if (layoutClass === 1) return { kind: 'contiguous', address: c.address(), size: c.length() }
  if (layoutClass !== 2) throw c.error(`layout class ${layoutClass} (virtual) is not supported`)
  if (version === 3) {
    const ndims = c.u8()
    const address = c.address()
    const dims = Array.from({ length: ndims }, () => c.u32())
    return { kind: 'chunked', chunkDims: dims.slice(0, -1), index: { type: 'btree-v1', address } }
  }
  const flags = c.u8()
  const ndims = c.u8()
  const encoded = c.u8()
  const dims = Array.from({ length: ndims }, () => c.uint(encoded))
  const indexType = c.u8()
  const chunkDims = dims.slice(0, -1)
  switch (indexType) {
    case 1: {
      const filtered = flags & 0x02 ? { size: c.length(), mask: c.u32() } : undefined
      const address = c.address()
      return {
        kind: 'chunked',
        chunkDims,
        index:
          filtered === undefined
            ? { type: 'single', address }
            : { type: 'single', address, filtered },
      }
    }
    case 2:
      return { kind: 'chunked', chunkDims, index: { type: 'implicit', address: c.address() } }
    case 3:
      c.skip(1)
      return { kind: 'chunked', chunkDims, index: { type: 'fixed-array', address: c.address() } }
    case 4:
      c.skip(5)
      return {
        kind: 'chunked',
        chunkDims,
        index: { type: 'extensible-array', address: c.address() },
      }
    case 5:
      c.skip(6)
      return { kind: 'chunked', chunkDims, index: { type: 'btree-v2', address: c.address() } }
    default:
      throw c.error(`chunk index type ${indexType}`)
  }
}
