import { randomBytes } from 'node:crypto'
import { renameSync, rmSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { BeamloomError, type Parameters } from '../../src/index.js'
import { type DatasetLayout, datasetLayout, type ElementKind } from '../hdf5-rest/dataset-layout.js'
import { gather } from '../hdf5-rest/gather.js'
import {
  groupMembers,
  type LocatedNode,
  nodeAttributes,
  type PublishNode,
  publishNode,
} from '../hdf5-rest/publish-tree.js'
import { parseSelection } from '../hdf5-rest/selection.js'
import { beamloomVersion } from './beamloom-version.js'
import { type H5wasm, loadH5wasm } from './load-h5wasm.js'

/** The group the parameters go into (one scalar dataset per parameter). */
export const PARAMETERS_GROUP = 'beamloom_parameters'

/** What a file records besides `publish`. */
export interface H5FileMeta {
  /** The parameters the result was computed with. */
  readonly parameters?: Parameters | undefined
  /** The scan, as root attribute `scan_id`. */
  readonly scanId?: string | undefined
  /** Root attribute `created_at` (ISO 8601); default now. */
  readonly createdAt?: Date | undefined
}

/** What {@link writePublishH5} wrote. */
export interface H5WriteReport {
  readonly path: string
  readonly groups: number
  readonly datasets: number
  readonly attributes: number
  /** Paths of members and attributes that could not be written, with the reason. */
  readonly skipped: readonly string[]
}

type H5Group = InstanceType<H5wasm['Group']>
/** Groups and datasets both carry attributes. */
type AttrTarget = Pick<H5Group, 'create_attribute'>

const DTYPES: Readonly<Record<ElementKind, string>> = {
  uint8: '<B',
  int8: '<b',
  uint16: '<H',
  int16: '<h',
  uint32: '<I',
  int32: '<i',
  uint64: '<Q',
  int64: '<q',
  float32: '<f',
  float64: '<d',
  bool: '<B',
  string: 'S',
}

/**
 * Write a `publish` tree to an HDF5 file at `path`, mapped as the HDF5-REST surface maps it
 * (docs/results-api.md): groups for objects, Maps and ragged lists; datasets for scalars,
 * strings, typed arrays and rectangular lists; `name_attrs` (and `_attrs` at the root) as
 * attributes. Root attributes `beamloom_version`, `created_at` and (when given) `scan_id`; the
 * parameters as scalar datasets in group `beamloom_parameters`. Booleans are stored as uint8
 * 0/1 (h5wasm cannot write HDF5 enums); strings as variable-length UTF-8.
 *
 * h5wasm is loaded on the first call; after that the whole tree is read and written in one
 * synchronous step (a consistent snapshot between two `processResult` calls), into a temporary
 * file renamed over `path` at the end, so readers never see half a file.
 * @throws BeamloomError `CONFIG_INVALID` when the file cannot be created (missing directory,
 * no permission), `STATE_INVALID` when HDF5 fails while writing.
 */
export async function writePublishH5(
  publish: unknown,
  path: string,
  meta: H5FileMeta = {},
): Promise<H5WriteReport> {
  const h5 = await loadH5wasm()
  // Checked first: HDF5 would print its own error stack to stderr before failing.
  if (!isDirectory(dirname(path))) {
    throw new BeamloomError(
      'CONFIG_INVALID',
      `cannot create HDF5 file ${path}: no directory ${dirname(path)}`,
    )
  }
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`
  const file = new h5.File(tmp, 'w')
  if (file.file_id < 0n) {
    throw new BeamloomError(
      'CONFIG_INVALID',
      `cannot create HDF5 file ${path} (is its directory writable?)`,
    )
  }
  const w = new TreeWriter()
  try {
    const root = publishNode(publish)
    const rootAt: LocatedNode = {
      node: root?.type === 'group' ? root : { type: 'group', value: {} },
      path: [],
      parent: undefined,
    }
    const own = new Map<string, unknown>([['beamloom_version', beamloomVersion()]])
    own.set('created_at', (meta.createdAt ?? new Date()).toISOString())
    if (meta.scanId !== undefined) own.set('scan_id', meta.scanId)
    for (const [name, value] of own) w.attribute(file, '', name, value)
    w.attributes(file, rootAt, own)
    w.members(file, rootAt)
    if (meta.parameters !== undefined) w.parameters(file, rootAt, meta.parameters)
    file.close()
    renameSync(tmp, path)
  } catch (cause) {
    try {
      file.close()
    } catch {
      // Already closed (the failure came after close): nothing more to release.
    }
    rmSync(tmp, { force: true })
    throw new BeamloomError('STATE_INVALID', `writing HDF5 file ${path} failed: ${String(cause)}`, {
      cause,
    })
  }
  return { path, ...w.counts, skipped: w.skipped }
}

/** Walks the tree and writes it; counts what it wrote and what it skipped. */
class TreeWriter {
  readonly counts = { groups: 0, datasets: 0, attributes: 0 }
  readonly skipped: string[] = []

  members(group: H5Group, at: LocatedNode): void {
    if (at.node.type !== 'group') return
    for (const [name, node] of groupMembers(at.node.value)) {
      const path = [...at.path, name]
      const where = `/${path.join('/')}`
      if (name === '.' || name === '..') {
        this.skipped.push(`${where}: '${name}' cannot be an HDF5 link name`)
        continue
      }
      const child: LocatedNode = { node, path, parent: at.node.value }
      const written = this.#write(group, name, node, where)
      if (written === undefined) continue
      this.attributes(written.target, child)
      if (written.group !== undefined) this.members(written.group, child)
    }
  }

  attributes(
    target: AttrTarget,
    at: LocatedNode,
    taken: ReadonlyMap<string, unknown> = new Map(),
  ): void {
    const where = `/${at.path.join('/')}`
    for (const attr of nodeAttributes(at)) {
      if (taken.has(attr.name)) {
        this.skipped.push(`${where}@${attr.name}: the name is beamloom's own root attribute`)
        continue
      }
      this.attribute(target, where, attr.name, attr.value, attr.layout)
    }
  }

  attribute(
    target: AttrTarget,
    where: string,
    name: string,
    value: unknown,
    layout = datasetLayout(value),
  ): void {
    if (layout === undefined) return
    const { data, shape } = flat(value, layout)
    target.create_attribute(name, data as never, shape, DTYPES[layout.kind])
    this.counts.attributes++
    void where
  }

  parameters(file: H5Group, root: LocatedNode, parameters: Parameters): void {
    if (
      root.node.type === 'group' &&
      groupMembers(root.node.value).some(([n]) => n === PARAMETERS_GROUP)
    ) {
      this.skipped.push(
        `/${PARAMETERS_GROUP}: publish has a member of that name; parameters not written`,
      )
      return
    }
    const group = file.create_group(PARAMETERS_GROUP)
    this.counts.groups++
    group.create_attribute('NX_class', 'NXcollection', [], 'S')
    for (const [name, p] of Object.entries(parameters)) {
      const node = publishNode(p.value)
      if (node?.type !== 'dataset') continue
      this.#write(group, name, node, `/${PARAMETERS_GROUP}/${name}`)
    }
  }

  #write(
    group: H5Group,
    name: string,
    node: PublishNode,
    where: string,
  ): { target: AttrTarget; group?: H5Group } | undefined {
    try {
      if (node.type === 'group') {
        const created = group.create_group(name)
        this.counts.groups++
        return { target: created, group: created }
      }
      const { data, shape } = flat(node.value, node.layout)
      const created = group.create_dataset({
        name,
        data: data as never,
        shape,
        dtype: DTYPES[node.layout.kind],
      })
      this.counts.datasets++
      return { target: created }
    } catch (err) {
      this.skipped.push(`${where}: ${String(err)}`)
      return undefined
    }
  }
}

/** The whole value as a flat buffer (or string list) h5wasm takes, with its shape. */
function flat(value: unknown, layout: DatasetLayout): { data: unknown; shape: number[] } {
  const sel = parseSelection(undefined, layout.shape)
  if (!sel.ok) throw new Error(sel.message) // cannot happen: no selection text
  const g = gather(value, layout, sel.dims)
  const shape = [...layout.shape]
  if (layout.kind === 'string') {
    const list = g.data as string[]
    return { data: shape.length === 0 ? (list[0] ?? '') : list, shape }
  }
  if (layout.kind === 'bool') {
    const bytes = g.data as Int8Array
    return { data: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), shape }
  }
  return { data: g.data, shape }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false // missing or unreadable: not a directory we can write into
  }
}
