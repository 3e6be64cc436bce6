import { defaultNxdata } from '../nexus/default-nxdata.js'

/** Attributes of a node as the viewer reads them (`name_attrs` next to `name` in `publish`). */
export type OutlineAttrs = Readonly<
  Record<string, string | number | boolean | readonly (string | number)[]>
>

/** One node of {@link publishOutline}: what a viewer needs to list, label and plot a path. */
export type OutlineNode = (
  | { readonly kind: 'group'; readonly children: Readonly<Record<string, OutlineNode>> }
  /**
   * Numbers: `shape` [n] (1-D), [rows, columns] (2-D, equal rows), and so on for N-D data (a
   * list of equal-shaped arrays: numpy's N-D arrays as a Python reducer publishes them).
   */
  | { readonly kind: 'array'; readonly shape: readonly number[] }
  /** A list that is not a numeric array: only its length. */
  | { readonly kind: 'list'; readonly length: number }
  | { readonly kind: 'number' | 'string' | 'boolean' | 'null' | 'other' }
) & {
  /** Its attributes, when `publish` has `name_attrs` for it (`_attrs` for the root). */
  readonly attrs?: OutlineAttrs
  /** The root only: the NXdata group to open first (as files name it: `/entry@default`). */
  readonly default?: string
}

/** Attribute lists longer than this are left out of the outline (a viewer labels with them). */
const MAX_ATTR_ITEMS = 64

/**
 * The shape of a reducer's `publish` without its data: groups (objects, Maps) with their
 * children, numeric arrays (arrays of numbers, typed arrays, lists of equal-shaped numeric
 * arrays, to any depth) with their shape, scalars by kind, and attributes: a key `name_attrs` is not a child
 * but the `attrs` of `name` (`_attrs`: of the root), so viewers can draw NXdata (`signal`,
 * `axes`, `units`, `long_name`) and show attributes as attributes. The root names its
 * `default` NXdata group (its `_attrs.default`, else the first NXdata with a signal, as
 * files do). Pure; cost is one visit per group and per row, never per element of a typed
 * array.
 */
export function publishOutline(value: unknown): OutlineNode {
  const root = outlineOf(value, 0)
  if (root.kind !== 'group') return root
  const attrs = attrsOf(memberOf(value, '_attrs'))
  const chosen = typeof attrs?.default === 'string' ? attrs.default : defaultNxdata(value)
  return {
    ...root,
    ...(attrs === undefined ? {} : { attrs }),
    ...(chosen === undefined ? {} : { default: chosen }),
  }
}

function outlineOf(value: unknown, depth: number): OutlineNode {
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
  const entries: [string, unknown][] =
    value instanceof Map
      ? [...value].map(([k, v]) => [String(k), v])
      : Object.entries(value as object)
  const all = new Map(entries)
  const children: Record<string, OutlineNode> = {}
  for (const [key, child] of entries) {
    if (child === undefined || typeof child === 'function' || key.endsWith('_attrs')) continue
    const node = outlineOf(child, depth + 1)
    const attrs = attrsOf(all.get(`${key}_attrs`))
    children[key] = attrs === undefined ? node : { ...node, attrs }
  }
  return { kind: 'group', children }
}

/** The plain attributes of an `_attrs` object: text, numbers, booleans and short lists. */
function attrsOf(holder: unknown): OutlineAttrs | undefined {
  if (typeof holder !== 'object' || holder === null || Array.isArray(holder)) return undefined
  if (ArrayBuffer.isView(holder) || holder instanceof Date) return undefined
  const entries: [string, unknown][] =
    holder instanceof Map
      ? [...holder].map(([k, v]) => [String(k), v])
      : Object.entries(holder as object)
  const out: Record<string, string | number | boolean | (string | number)[]> = {}
  for (const [key, v] of entries) {
    if (typeof v === 'string' || typeof v === 'boolean') out[key] = v
    else if (typeof v === 'number' && Number.isFinite(v)) out[key] = v
    else if (typeof v === 'bigint') out[key] = Number(v)
    else if (
      (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) &&
      lengthOf(v) <= MAX_ATTR_ITEMS
    ) {
      const items = Array.from(v as ArrayLike<unknown>)
      if (
        items.every((i) => typeof i === 'string' || (typeof i === 'number' && Number.isFinite(i)))
      ) {
        out[key] = items as (string | number)[]
      } else if (items.every((i) => typeof i === 'bigint')) {
        out[key] = items.map(Number)
      }
    }
  }
  return Object.keys(out).length === 0 ? undefined : out
}

function memberOf(group: unknown, name: string): unknown {
  if (group instanceof Map) return group.get(name)
  if (typeof group !== 'object' || group === null) return undefined
  return Object.hasOwn(group, name) ? (group as Record<string, unknown>)[name] : undefined
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
