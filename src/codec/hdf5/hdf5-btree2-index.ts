import type { ChunkEntry, ChunkGeometry, ChunkLocator } from './hdf5-chunk-geometry.js'
import { type Hdf5Cursor, hdf5Error } from './hdf5-cursor.js'
import type { Hdf5File } from './hdf5-file.js'

/** Record types of the chunk indexes: chunks without filters, and with. */
const RECORD_CHUNK = 10
const RECORD_FILTERED_CHUNK = 11
/** Signature, version, type and checksum around a node's contents. */
const NODE_OVERHEAD = 10
const MAX_DEPTH = 32
const MAX_NODES = 1_000_000

/** Bytes HDF5 uses to store a count up to `max` (`H5VM_limit_enc_size`). */
function countBytes(max: number): number {
  return Math.floor(Math.floor(Math.log2(Math.max(1, max))) / 8) + 1
}

/**
 * The version-2 B-tree chunk index (layout version 4; datasets with more than one unlimited
 * dimension). Every record of every node is one chunk: its address, (filtered: stored size and
 * filter mask) and its coordinates in the chunk grid. The tree is read whole when opened.
 */
export async function readBTreeV2(
  file: Hdf5File,
  address: number,
  g: ChunkGeometry,
): Promise<ChunkLocator> {
  const O = file.offsetSize
  const h = await file.cursor(
    address,
    4 + 2 + 4 + 2 + 2 + 2 + O + 2 + file.lengthSize + 4,
    'B-tree v2 header',
  )
  h.signature('BTHD')
  h.skip(1)
  const type = h.u8()
  const nodeSize = h.u32()
  const recordSize = h.u16()
  const depth = h.u16()
  h.skip(2)
  const root = h.address()
  const rootRecords = h.u16()
  if (type !== RECORD_CHUNK && type !== RECORD_FILTERED_CHUNK) {
    throw h.error(`B-tree v2 of record type ${type}, not a chunk index`)
  }
  if (depth > MAX_DEPTH || recordSize < O || nodeSize <= NODE_OVERHEAD) {
    throw h.error('B-tree v2 parameters out of range')
  }
  const rank = g.chunkDims.length
  const sizeBytes = recordSize - O - 4 - 8 * rank
  if (type === RECORD_FILTERED_CHUNK && (sizeBytes < 1 || sizeBytes > 8)) {
    throw h.error(`B-tree v2 chunk records of ${recordSize} bytes for rank ${rank}`)
  }

  // Sizes of the counts in internal nodes, as HDF5 derives them from the node size.
  const maxRecords = [Math.floor((nodeSize - NODE_OVERHEAD) / recordSize)]
  const cumulative = [maxRecords[0]!]
  const cumulativeBytes = [0]
  const nrecBytes = countBytes(maxRecords[0]!)
  for (let d = 1; d <= depth; d++) {
    const pointer = O + nrecBytes + (d > 1 ? cumulativeBytes[d - 1]! : 0)
    const max = Math.floor((nodeSize - NODE_OVERHEAD) / (recordSize + pointer))
    maxRecords.push(max)
    cumulative.push((max + 1) * cumulative[d - 1]! + max)
    cumulativeBytes.push(countBytes(cumulative[d]!))
  }

  const entries = new Map<string, ChunkEntry>()
  const record = (c: Hdf5Cursor): void => {
    const at = c.address()
    const size = type === RECORD_FILTERED_CHUNK ? c.uint(sizeBytes) : g.chunkBytes
    const filterMask = type === RECORD_FILTERED_CHUNK ? c.u32() : 0
    const coords = Array.from({ length: rank }, () => c.uint(8))
    if (at !== undefined) entries.set(coords.join(','), { address: at, size, filterMask })
  }
  let nodes = 0
  const visit = async (at: number, records: number, level: number): Promise<void> => {
    if (++nodes > MAX_NODES)
      throw hdf5Error(`${file.path} B-tree v2 at ${address}`, 'too many nodes')
    if (records > maxRecords[level]!) {
      throw hdf5Error(
        `${file.path} B-tree v2 node at ${at}`,
        `${records} records, at most ${maxRecords[level]}`,
      )
    }
    const c = await file.cursor(at, nodeSize, 'B-tree v2 node')
    c.signature(level === 0 ? 'BTLF' : 'BTIN')
    c.skip(2)
    for (let i = 0; i < records; i++) record(c)
    if (level === 0) return
    const children: { at: number; records: number }[] = []
    for (let i = 0; i <= records; i++) {
      const child = c.address()
      const n = c.uint(nrecBytes)
      if (level > 1) c.uint(cumulativeBytes[level - 1]!)
      if (child === undefined) throw c.error('B-tree v2 child at the undefined address')
      children.push({ at: child, records: n })
    }
    for (const child of children) await visit(child.at, child.records, level - 1)
  }
  if (root !== undefined && rootRecords > 0) await visit(root, rootRecords, depth)
  return { entry: async (coords) => entries.get(coords.join(',')) }
}
