/** One node of {@link publishOutline}: what a viewer needs to list and pick a path. */
export type OutlineNode =
  | { readonly kind: 'group'; readonly children: Readonly<Record<string, OutlineNode>> }
  /**
   * Numbers: `shape` [n] (1-D), [rows, columns] (2-D, equal rows), and so on for N-D data (a
   * list of equal-shaped arrays: numpy's N-D arrays as a Python reducer publishes them).
   */
  | { readonly kind: 'array'; readonly shape: readonly number[] }
  /** A list that is not a numeric array: only its length. */
  | { readonly kind: 'list'; readonly length: number }
  | { readonly kind: 'number' | 'string' | 'boolean' | 'null' | 'other' }

/**
 * The shape of a reducer's `publish` without its data: groups (objects, Maps) with their
 * children, numeric arrays (arrays of numbers, typed arrays, lists of equal-shaped numeric
 * arrays, to any depth) with their shape, and scalars by kind. Pure; cost is one visit per
 * group and per row, never per element of a typed array.
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
  const shape = shapeOf(value)
  if (shape !== undefined) return { kind: 'array', shape }
  if (Array.isArray(value)) return { kind: 'list', length: value.length }
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

/** Deeper nesting than this is not read as an N-D array. */
const MAX_DIMENSIONS = 32

/**
 * The shape of a numeric vector, or of a non-empty list whose items all have one and the same
 * shape (rows of a 2-D array, planes of a 3-D one…); `undefined` for anything else.
 */
function shapeOf(value: object, dims = 1): number[] | undefined {
  if (isNumericVector(value)) return [lengthOf(value)]
  if (!Array.isArray(value) || value.length === 0 || dims >= MAX_DIMENSIONS) return undefined
  const first = value[0]
  if (typeof first !== 'object' || first === null) return undefined
  const inner = shapeOf(first, dims + 1)
  if (inner === undefined) return undefined
  for (let i = 1; i < value.length; i++) {
    const item = value[i]
    if (typeof item !== 'object' || item === null) return undefined
    const shape = shapeOf(item, dims + 1)
    if (shape === undefined || shape.length !== inner.length) return undefined
    if (shape.some((n, d) => n !== inner[d])) return undefined
  }
  return [value.length, ...inner]
}
