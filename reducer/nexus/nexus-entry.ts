import { extname } from 'node:path'
import type { ModuleDigest, WorkParameter } from '../../src/internal.js'
import { defaultNxdata, entriesOf, member } from './default-nxdata.js'
import { type ScanMetadata, scanMetadataJson } from './scan-metadata.js'

/** The group under the entry that says how the result was made (`NXprocess`). */
export const PROCESS_GROUP = 'beamloom'

/** What {@link nexusEntry} built. */
export interface NexusEntry {
  /** A `publish`-shaped tree (members, `name_attrs`, root `_attrs`) of the NeXus entry. */
  readonly tree: ReadonlyMap<string, unknown>
  /** Metadata members left out because `publish` has a member of that name (it wins). */
  readonly shadowed: readonly string[]
}

/**
 * `publish` as a NeXus `NXentry` (pure; members are referenced, never copied): every member
 * of `publish` as it is, and beside them what says how the result was made —
 *
 * - `title` (the scan's name, else `scan <number>`), `entry_identifier` (the scan id),
 *   `start_time`, `end_time` (ISO 8601), `program_name` (`beamloom`, attribute `version`);
 * - `beamloom` (`NXprocess`): `program`, `version`, `date`, the scan's `status` and `reason`,
 *   `scan_number`, `events`, `failed_events`, `sources`, one `NXnote` per analysis module
 *   (`worker`, or `worker_0`, `worker_1`, … when several; `reducer`) with its `module` spec,
 *   `file_name` and `sha256`, `parameters` (`NXparameters`, typed by their description: an
 *   `int` is int64), and `metadata` (`NXnote`, all of it as JSON);
 * - attributes `NX_class: NXentry` and `default`: the `default` of `publish`'s root
 *   attributes, else its first `NXdata` group with a `signal` ({@link defaultNxdata}).
 *
 * The HDF5-REST root serves this tree and files hold it as `/entry`, so both show the same.
 * A member of `publish` with a metadata name wins; the metadata is left out (`shadowed`).
 */
export function nexusEntry(publish: unknown, meta: ScanMetadata, version: string): NexusEntry {
  const tree = new Map<string, unknown>(entriesOf(publish))
  const shadowed: string[] = []
  const add = (name: string, value: unknown, attrs?: Record<string, unknown>): void => {
    if (value === undefined) return
    if (tree.has(name)) {
      shadowed.push(name)
      return
    }
    tree.set(name, value)
    if (attrs !== undefined && !tree.has(`${name}_attrs`)) tree.set(`${name}_attrs`, attrs)
  }
  const title =
    meta.scanName ??
    (meta.scanNumber !== undefined
      ? `scan ${meta.scanNumber}`
      : meta.scanId !== undefined
        ? `scan ${meta.scanId}`
        : undefined)
  add('title', title)
  add('entry_identifier', meta.scanId)
  add('start_time', meta.startTime)
  add('end_time', meta.endTime)
  add('program_name', 'beamloom', { version })
  add(PROCESS_GROUP, processGroup(meta, version), { NX_class: 'NXprocess' })

  const userAttrs = new Map(entriesOf(member(publish, '_attrs')))
  const fallbackDefault = defaultNxdata(publish)
  const attrs: Record<string, unknown> = Object.fromEntries(userAttrs)
  attrs.NX_class = 'NXentry'
  if (!userAttrs.has('default') && fallbackDefault !== undefined) attrs.default = fallbackDefault
  tree.set('_attrs', attrs)
  return { tree, shadowed }
}

function processGroup(meta: ScanMetadata, version: string): Record<string, unknown> {
  const group: Record<string, unknown> = {
    program: 'beamloom',
    version,
    status: meta.status,
  }
  const date = meta.endTime ?? meta.startTime
  if (date !== undefined) group.date = date
  if (meta.reason !== undefined) group.reason = meta.reason
  if (meta.scanNumber !== undefined) group.scan_number = BigInt(meta.scanNumber)
  if (meta.events !== undefined) group.events = BigInt(meta.events)
  if (meta.failedEvents !== undefined) group.failed_events = BigInt(meta.failedEvents)
  if (meta.sources.length > 0) group.sources = [...meta.sources]
  const workers = meta.workers
  for (const [i, w] of workers.entries()) {
    const name = workers.length === 1 ? 'worker' : `worker_${i}`
    group[name] = moduleNote(w, 'worker')
    group[`${name}_attrs`] = { NX_class: 'NXnote' }
  }
  if (meta.reducer !== undefined) {
    group.reducer = moduleNote(meta.reducer, 'reducer')
    group.reducer_attrs = { NX_class: 'NXnote' }
  }
  const parameters = Object.values(meta.parameters ?? {})
  if (parameters.length > 0) {
    group.parameters = Object.fromEntries(parameters.map((p) => [p.name, parameterValue(p)]))
    group.parameters_attrs = { NX_class: 'NXparameters' }
  }
  group.metadata = {
    type: 'application/json',
    description: 'how this result was made, as JSON',
    data: JSON.stringify(scanMetadataJson(meta, version)),
  }
  group.metadata_attrs = { NX_class: 'NXnote' }
  return group
}

const MIME: Readonly<Record<string, string>> = {
  '.ts': 'text/x-typescript',
  '.mts': 'text/x-typescript',
  '.cts': 'text/x-typescript',
  '.tsx': 'text/x-typescript',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.cjs': 'text/javascript',
  '.jsx': 'text/javascript',
  '.py': 'text/x-python',
}

/** An analysis module as an `NXnote`: what was named, the file, its type and its hash. */
function moduleNote(m: ModuleDigest, role: 'worker' | 'reducer'): Record<string, unknown> {
  const colon = m.spec.lastIndexOf(':')
  const file = colon > 1 && !/[\\/]/.test(m.spec.slice(colon + 1)) ? m.spec.slice(0, colon) : m.spec
  return {
    description: `${role} module`,
    module: m.spec,
    file_name: file,
    type: MIME[extname(file)] ?? 'text/plain',
    sha256: m.sha256,
  }
}

/** A parameter as a dataset value, typed by its description (`int` → int64). */
function parameterValue(p: WorkParameter): unknown {
  if (p.dtype === 'int' && typeof p.value === 'number') return BigInt(p.value)
  return p.value
}
