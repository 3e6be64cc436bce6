import { randomBytes } from 'node:crypto'
import { renameSync, rmSync, statSync } from 'node:fs'
import { basename, dirname } from 'node:path'
import { BeamloomError } from '../../src/internal.js'
import { type DatasetLayout, datasetLayout, type ElementKind } from '../hdf5-rest/dataset-layout.js'
import { gather } from '../hdf5-rest/gather.js'
import {
  groupMembers,
  type LocatedNode,
  nodeAttributes,
  type PublishNode,
} from '../hdf5-rest/publish-tree.js'
import { parseSelection } from '../hdf5-rest/selection.js'
import { nexusEntry } from '../nexus/nexus-entry.js'
import type { ScanMetadata } from '../nexus/scan-metadata.js'
import { beamloomVersion } from './beamloom-version.js'
import { type H5wasm, loadH5wasm } from './load-h5wasm.js'

/** The NXentry group of a file: `publish` and how it was made. */
export const ENTRY_GROUP = 'entry'

/** What a file records besides `publish`. */
export interface H5FileMeta {
  /** How the result was made: scan, end state, modules, parameters, sources, times. */
  readonly metadata?: ScanMetadata | undefined
  /** Root attribute `file_time` (ISO 8601); default now. */
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
 * Write a `publish` tree to a NeXus HDF5 file at `path` (docs/results-api.md, "NeXus layout"):
 * the root is `NXroot` (attributes `default: entry`, `creator`, `creator_version`,
 * `file_name`, `file_time`), and `/entry` is the `NXentry` {@link nexusEntry} builds — the
 * members of `publish`, mapped as the HDF5-REST surface maps them (groups for objects, Maps
 * and ragged lists; datasets for scalars, strings, typed arrays and rectangular lists;
 * `name_attrs` as attributes, the root's `_attrs` as the entry's), with `title`,
 * `start_time`, `end_time`, `program_name` and the `beamloom` `NXprocess` (end state,
 * modules and their hashes, parameters, sources) beside them. Booleans are stored as uint8
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
    const version = beamloomVersion()
    const metadata = meta.metadata ?? { status: 'running', workers: [], sources: [] }
    const entry = nexusEntry(publish, metadata, version)
    for (const name of entry.shadowed) {
      w.skipped.push(
        `/${ENTRY_GROUP}/${name}: publish has a member of that name; beamloom's left out`,
      )
    }
    const root: Record<string, unknown> = {
      NX_class: 'NXroot',
      default: ENTRY_GROUP,
      creator: 'beamloom',
      creator_version: version,
      file_name: basename(path),
      file_time: (meta.createdAt ?? new Date()).toISOString(),
    }
    for (const [name, value] of Object.entries(root)) w.attribute(file, '', name, value)
    const group = file.create_group(ENTRY_GROUP)
    w.counts.groups++
    const entryAt: LocatedNode = {
      node: { type: 'group', value: entry.tree },
      path: [ENTRY_GROUP],
      parent: undefined,
    }
    w.attributes(group, entryAt)
    w.members(group, entryAt)
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

  attributes(target: AttrTarget, at: LocatedNode): void {
    const where = `/${at.path.join('/')}`
    for (const attr of nodeAttributes(at)) {
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
