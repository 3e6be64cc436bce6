import type { DatasetLayout, ElementKind } from './dataset-layout.js'

/** An HDF5-REST type description (the `type` of datasets and attributes). */
export type H5TypeJson =
  | { readonly class: 'H5T_INTEGER' | 'H5T_FLOAT'; readonly base: string }
  | {
      readonly class: 'H5T_STRING'
      readonly charSet: 'H5T_CSET_UTF8'
      readonly strPad: 'H5T_STR_NULLTERM'
      readonly length: 'H5T_VARIABLE'
    }
  | {
      readonly class: 'H5T_ENUM'
      readonly base: { readonly class: 'H5T_INTEGER'; readonly base: 'H5T_STD_I8LE' }
      readonly mapping: { readonly FALSE: 0; readonly TRUE: 1 }
    }

/** An HDF5-REST shape description. */
export type H5ShapeJson =
  | { readonly class: 'H5S_SCALAR' }
  | { readonly class: 'H5S_SIMPLE'; readonly dims: readonly number[] }

const BASES: Readonly<Record<Exclude<ElementKind, 'bool' | 'string'>, string>> = {
  uint8: 'H5T_STD_U8LE',
  int8: 'H5T_STD_I8LE',
  uint16: 'H5T_STD_U16LE',
  int16: 'H5T_STD_I16LE',
  uint32: 'H5T_STD_U32LE',
  int32: 'H5T_STD_I32LE',
  uint64: 'H5T_STD_U64LE',
  int64: 'H5T_STD_I64LE',
  float32: 'H5T_IEEE_F32LE',
  float64: 'H5T_IEEE_F64LE',
}

/**
 * The HDF5-REST type of an element kind. Numbers are little-endian; strings variable-length
 * UTF-8; booleans the enum h5py uses for `numpy.bool_` (int8, `FALSE` 0, `TRUE` 1), so h5pyd
 * reads them back as booleans. Pure.
 */
export function h5Type(kind: ElementKind): H5TypeJson {
  if (kind === 'string') {
    return {
      class: 'H5T_STRING',
      charSet: 'H5T_CSET_UTF8',
      strPad: 'H5T_STR_NULLTERM',
      length: 'H5T_VARIABLE',
    }
  }
  if (kind === 'bool') {
    return {
      class: 'H5T_ENUM',
      base: { class: 'H5T_INTEGER', base: 'H5T_STD_I8LE' },
      mapping: { FALSE: 0, TRUE: 1 },
    }
  }
  return {
    class: kind.startsWith('float') ? 'H5T_FLOAT' : 'H5T_INTEGER',
    base: BASES[kind],
  }
}

/** The HDF5-REST shape of a layout: `H5S_SCALAR` for `[]`, else `H5S_SIMPLE` with dims. */
export function h5Shape(layout: DatasetLayout): H5ShapeJson {
  return layout.shape.length === 0
    ? { class: 'H5S_SCALAR' }
    : { class: 'H5S_SIMPLE', dims: [...layout.shape] }
}

/** Bytes per element in a binary reply (`undefined` for variable-length strings). */
export function elementBytes(kind: ElementKind): number | undefined {
  switch (kind) {
    case 'string':
      return undefined
    case 'bool':
    case 'uint8':
    case 'int8':
      return 1
    case 'uint16':
    case 'int16':
      return 2
    case 'uint32':
    case 'int32':
    case 'float32':
      return 4
    default:
      return 8
  }
}
