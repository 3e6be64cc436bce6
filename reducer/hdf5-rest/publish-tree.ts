import { type DatasetLayout, datasetLayout } from './dataset-layout.js'

/**
 * `publish` seen as an HDF5 tree (pure; nothing is copied). Plain objects and Maps are groups
 * whose members are their keys; a list that is not a rectangular dataset (see
 * {@link datasetLayout}) is a group of its elements named `0`, `1`, …; everything with a
 * dataset layout is a dataset. Left out: `null`, `undefined`, functions, symbols, keys that
 * contain `/`, and keys ending in `_attrs`, which hold attributes (Dranspose's convention):
 * `name_attrs` next to `name` gives the attributes of `name`, and `_attrs` at the root those of
 * the root group.
 */

/** One node of the tree: a group or a dataset, with its value. */
export type PublishNode =
  | { readonly type: 'group'; readonly value: object }
  | { readonly type: 'dataset'; readonly value: unknown; readonly layout: DatasetLayout }

/** A node found by path, with what its attributes need. */
export interface LocatedNode {
  readonly node: PublishNode
  readonly path: readonly string[]
  /** The group the node is in (`undefined` for the root). */
  readonly parent: object | undefined
}

/** What a path resolves to: the node, or the first path prefix that names nothing. */
export type Located =
  | { readonly found: true; readonly at: LocatedNode }
  | { readonly found: false; readonly missing: string }

/** Classify a value; `undefined` for what the tree leaves out. */
export function publishNode(value: unknown): PublishNode | undefined {
  const layout = datasetLayout(value)
  if (layout !== undefined) return { type: 'dataset', value, layout }
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return undefined
  if (value instanceof Date) return undefined
  return { type: 'group', value }
}

function isMemberName(name: string): boolean {
  return name.length > 0 && !name.includes('/') && !name.endsWith('_attrs')
}

/** The raw member `name` of a group value, attributes keys included; `undefined` if none. */
function rawMember(group: object, name: string): unknown {
  if (group instanceof Map) {
    for (const [k, v] of group) if (String(k) === name) return v
    return undefined
  }
  if (Array.isArray(group)) {
    if (!/^(0|[1-9]\d*)$/.test(name)) return undefined
    return group[Number(name)]
  }
  return Object.hasOwn(group, name) ? (group as Record<string, unknown>)[name] : undefined
}

/** The members of a group, in insertion order, as `[name, node]`. */
export function groupMembers(group: object): [string, PublishNode][] {
  const out: [string, PublishNode][] = []
  const entries: Iterable<[unknown, unknown]> =
    group instanceof Map
      ? group.entries()
      : Array.isArray(group)
        ? group.entries()
        : Object.entries(group)
  for (const [k, v] of entries) {
    const name = String(k)
    if (!isMemberName(name)) continue
    const node = publishNode(v)
    if (node !== undefined) out.push([name, node])
  }
  return out
}

/** The member `name` of a group, or `undefined`. */
export function groupMember(group: object, name: string): PublishNode | undefined {
  if (!isMemberName(name)) return undefined
  return publishNode(rawMember(group, name))
}

/** Resolve a path of member names from the root of `publish`. */
export function locate(publish: unknown, path: readonly string[]): Located {
  const root = publishNode(publish)
  if (root?.type !== 'group') return { found: false, missing: '/' }
  let node: PublishNode = root
  let parent: object | undefined
  for (let i = 0; i < path.length; i++) {
    if (node.type !== 'group')
      return { found: false, missing: `/${path.slice(0, i + 1).join('/')}` }
    const next = groupMember(node.value, path[i] ?? '')
    if (next === undefined) return { found: false, missing: `/${path.slice(0, i + 1).join('/')}` }
    parent = node.value
    node = next
  }
  return { found: true, at: { node, path, parent } }
}

/** One attribute: its name, value and dataset layout. */
export interface PublishAttribute {
  readonly name: string
  readonly value: unknown
  readonly layout: DatasetLayout
}

/**
 * The attributes of a located node: the entries of `name_attrs` in its parent (of `_attrs` in
 * the root group for the root) that have a dataset layout; other entries (nested objects,
 * ragged lists) are left out.
 */
export function nodeAttributes(at: LocatedNode): PublishAttribute[] {
  const holder =
    at.parent === undefined
      ? at.node.type === 'group'
        ? rawMember(at.node.value, '_attrs')
        : undefined
      : rawMember(at.parent, `${at.path[at.path.length - 1] ?? ''}_attrs`)
  if (typeof holder !== 'object' || holder === null || ArrayBuffer.isView(holder)) return []
  if (Array.isArray(holder) || holder instanceof Date) return []
  const out: PublishAttribute[] = []
  const entries: Iterable<[unknown, unknown]> =
    holder instanceof Map ? holder.entries() : Object.entries(holder)
  for (const [k, value] of entries) {
    const layout = datasetLayout(value)
    if (layout !== undefined) out.push({ name: String(k), value, layout })
  }
  return out
}
