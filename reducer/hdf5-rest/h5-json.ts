import type { DatasetLayout } from './dataset-layout.js'
import { valueJson } from './encode-value.js'
import { gather } from './gather.js'
import { h5Id } from './h5-id.js'
import { h5Shape, h5Type } from './h5-type.js'
import {
  groupMembers,
  type LocatedNode,
  nodeAttributes,
  type PublishAttribute,
  type PublishNode,
} from './publish-tree.js'
import { parseSelection } from './selection.js'

/**
 * The JSON bodies of the HDF5-REST subset (HSDS shapes, as h5pyd, silx and h5web read them),
 * built from a located node. Pure apart from the clock readings passed in. `created` and
 * `lastModified` are epoch seconds.
 */

/** Timestamps every body carries. */
export interface Times {
  readonly created: number
  readonly lastModified: number
}

/** The id of a node at `path`. */
export function nodeId(node: PublishNode, path: readonly string[]): string {
  return h5Id(node.type === 'group' ? 'groups' : 'datasets', path)
}

/** `GET /groups/{id}`. */
export function groupJson(at: LocatedNode, group: object, t: Times) {
  return {
    id: h5Id('groups', at.path),
    root: h5Id('groups', []),
    linkCount: groupMembers(group).length,
    attributeCount: nodeAttributes(at).length,
    ...t,
  }
}

/** One link of a group to its member `name`. */
export function linkJson(path: readonly string[], name: string, node: PublishNode, t: Times) {
  return {
    class: 'H5L_TYPE_HARD' as const,
    title: name,
    collection: node.type === 'group' ? ('groups' as const) : ('datasets' as const),
    id: nodeId(node, [...path, name]),
    created: t.created,
  }
}

const LAYOUT = { class: 'H5D_CONTIGUOUS' } as const

/** `GET /datasets/{id}`. */
export function datasetJson(at: LocatedNode, layout: DatasetLayout, t: Times) {
  return {
    id: h5Id('datasets', at.path),
    root: h5Id('groups', []),
    type: h5Type(layout.kind),
    shape: h5Shape(layout),
    attributeCount: nodeAttributes(at).length,
    layout: LAYOUT,
    creationProperties: {
      allocTime: 'H5D_ALLOC_TIME_LATE',
      fillTime: 'H5D_FILL_TIME_IFSET',
      layout: LAYOUT,
    },
    ...t,
  }
}

/** An attribute's description, without its value. */
export function attributeJson(attr: PublishAttribute, t: Times) {
  return { name: attr.name, type: h5Type(attr.layout.kind), shape: h5Shape(attr.layout), ...t }
}

/** An attribute's description with its value, as JSON text (64-bit integers kept exact). */
export function attributeWithValueText(attr: PublishAttribute, t: Times): string {
  return withValueText(attributeJson(attr, t), attributeValueJson(attr))
}

/** `JSON.stringify(body)` with a `value` member whose JSON text is given. */
export function withValueText(body: object, valueText: string): string {
  const text = JSON.stringify(body)
  return `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}"value":${valueText}}`
}

/** The JSON text of an attribute's whole value. */
export function attributeValueJson(attr: PublishAttribute): string {
  const sel = parseSelection(undefined, attr.layout.shape)
  if (!sel.ok) throw new Error(sel.message) // cannot happen: no selection text
  return valueJson(gather(attr.value, attr.layout, sel.dims))
}
