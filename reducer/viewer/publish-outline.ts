/** One node of {@link publishOutline}: what a viewer needs to list and pick a path. */
export type OutlineNode =
  | { readonly kind: 'group'; readonly children: Readonly<Record<string, OutlineNode>> }
  /** Numbers: `shape` [n] (1-D) or [rows, columns] (2-D, equal rows). */
  | { readonly kind: 'array'; readonly shape: readonly number[] }
  /** A list that is not a numeric array: only its length. */
  | { readonly kind: 'list'; readonly length: number }
  | { readonly kind: 'number' | 'string' | 'boolean' | 'null' | 'other' }

/**
 * The shape of a reducer's `publish` without its data: groups (objects, Maps) with their
 * children, numeric arrays (arrays of numbers, typed arrays, arrays of equal-length numeric
 * rows) with their shape, and scalars by kind. Pure; cost is one visit per group and per row,
 * never per element of a typed array.
 */
export function publishOutline(value: unknown, depth = 0): OutlineNode {
  if (value === null || value === undefined) return { kind: 'null' }
  switch (typeof value) {
    case 'number':
    case 'bigint':
      return { kind: 'number' }
    case 'string':
      return { kind: 'string' }
    case 'boolean':
      return { kind: 'boolean' }
    case 'object':
      break
    default:
      return { kind: 'other' }
  }
  if (isNumericVector(value)) return { kind: 'array', shape: [lengthOf(value)] }
  if (Array.isArray(value)) {
    const columns = rowLength(value)
    if (columns !== undefined) return { kind: 'array', shape: [value.length, columns] }
    return { kind: 'list', length: value.length }
  }
  if (ArrayBuffer.isView(value) || value instanceof Date) return { kind: 'other' }
  // Deep trees are cut off: a viewer lists what a person can read.
  if (depth >= 16) return { kind: 'other' }
  const children: Record<string, OutlineNode> = {}
  const entries: Iterable<[unknown, unknown]> =
    value instanceof Map ? value : Object.entries(value as object)
  for (const [key, child] of entries) {
    if (child === undefined || typeof child === 'function') continue
    children[String(key)] = publishOutline(child, depth + 1)
  }
  return { kind: 'group', children }
}

function isNumericVector(value: object): boolean {
  if (ArrayBuffer.isView(value)) return !(value instanceof DataView)
  if (!Array.isArray(value) || value.length === 0) return false
  for (const v of value) if (typeof v !== 'number' && v !== null) return false
  return true
}

function lengthOf(value: object): number {
  return (value as ArrayLike<unknown>).length
}

/** The common row length when `rows` is a non-empty list of numeric vectors of equal length. */
function rowLength(rows: readonly unknown[]): number | undefined {
  const first = rows[0]
  if (typeof first !== 'object' || first === null || !isNumericVector(first)) return undefined
  const n = lengthOf(first)
  for (const row of rows) {
    if (typeof row !== 'object' || row === null || !isNumericVector(row) || lengthOf(row) !== n) {
      return undefined
    }
  }
  return n
}
