import { endianness } from 'node:os'
import type { FlatNumbers, Gathered } from './gather.js'

const BIG_ENDIAN_HOST = endianness() === 'BE'

/**
 * JSON text of gathered values, nested by its dims (a scalar is the bare value). Numbers that
 * are not finite are written as HSDS writes them (Python's `json`): the bare tokens `NaN`,
 * `Infinity` and `-Infinity`, which h5pyd reads as floats and h5web recovers (it re-parses
 * such a body with the tokens quoted); `null` would read as 0 or None. The binary form keeps
 * every bit. 64-bit integers are written exactly, digit by digit. Pure.
 */
export function valueJson(g: Gathered): string {
  const data = g.data
  const item: (i: number) => string = Array.isArray(data)
    ? (i) => JSON.stringify(data[i] ?? '')
    : (i) => numberText((data as FlatNumbers)[i] ?? 0)
  if (g.dims.length === 0) return item(0)
  const parts: string[] = []
  const cursor = { i: 0 }
  nest(g.dims, 0, parts, item, cursor)
  return parts.join('')
}

function numberText(v: number | bigint): string {
  if (typeof v === 'bigint') return v.toString()
  if (Number.isFinite(v)) return String(v)
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity'
}

function nest(
  dims: readonly number[],
  d: number,
  parts: string[],
  item: (i: number) => string,
  cursor: { i: number },
): void {
  const n = dims[d] ?? 0
  parts.push('[')
  for (let k = 0; k < n; k++) {
    if (k > 0) parts.push(',')
    if (d === dims.length - 1) parts.push(item(cursor.i++))
    else nest(dims, d + 1, parts, item, cursor)
  }
  parts.push(']')
}

/**
 * The little-endian bytes of gathered numbers (HDF5-REST's `application/octet-stream` form),
 * sharing the gathered buffer (which nobody else holds). Booleans are one byte each, 0 or 1.
 */
export function valueBytes(data: FlatNumbers): Buffer {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  if (BIG_ENDIAN_HOST && data.BYTES_PER_ELEMENT > 1) swapBytes(bytes, data.BYTES_PER_ELEMENT)
  return bytes
}

function swapBytes(bytes: Buffer, size: number): void {
  if (size === 2) bytes.swap16()
  else if (size === 4) bytes.swap32()
  else bytes.swap64()
}
