import { readArrayChunkIndex } from './hdf5-array-index.js'
import { readBTreeV2 } from './hdf5-btree2-index.js'
import {
  type ChunkEntry,
  type ChunkGeometry,
  type ChunkLocator,
  linear,
  maxGrid,
} from './hdf5-chunk-geometry.js'
import { hdf5Error } from './hdf5-cursor.js'
import type { ChunkIndex } from './hdf5-dataset-messages.js'
import type { Hdf5File } from './hdf5-file.js'

/** B-tree nodes read at most for one dataset (bounds a corrupt or looping tree). */
const MAX_NODES = 1_000_000
const MAX_DEPTH = 64

/**
 * Open the chunk index of a dataset: version-1 B-tree (every file written without
 * `libver='latest'`, EIGER's included), and the indexes of layout version 4: single chunk,
 * implicit, fixed array, extensible array, version-2 B-tree.
 * @throws ProtocolError `DECODE_FAILED` for an index that cannot be read.
 */
export async function openChunkIndex(
  file: Hdf5File,
  index: ChunkIndex,
  geometry: ChunkGeometry,
): Promise<ChunkLocator> {
  const address = index.address
  if (address === undefined) return { entry: async () => undefined }
  switch (index.type) {
    case 'btree-v1':
      return await readBTreeV1(file, address, geometry)
    case 'single': {
      const entry = {
        address,
        size: index.filtered?.size ?? geometry.chunkBytes,
        filterMask: index.filtered?.mask ?? 0,
      }
      return { entry: async (coords) => (coords.every((c) => c === 0) ? entry : undefined) }
    }
    case 'implicit': {
      const grid = maxGrid(geometry)
      return {
        entry: async (coords) => ({
          address: address + linear(coords, grid) * geometry.chunkBytes,
          size: geometry.chunkBytes,
          filterMask: 0,
        }),
      }
    }
    case 'fixed-array':
    case 'extensible-array':
      return await readArrayChunkIndex(file, index.type, address, geometry)
    case 'btree-v2':
      return await readBTreeV2(file, address, geometry)
  }
}

async function readBTreeV1(file: Hdf5File, root: number, g: ChunkGeometry): Promise<ChunkLocator> {
  const rank = g.chunkDims.length
  const keyBytes = 8 + 8 * (rank + 1)
  const entries = new Map<string, ChunkEntry>()
  const visited = new Set<number>()
  const walk = async (address: number, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH || visited.size >= MAX_NODES || visited.has(address)) {
      throw hdf5Error(`${file.path} B-tree at ${address}`, 'tree too deep, too large or looping')
    }
    visited.add(address)
    const headBytes = 8 + 2 * file.offsetSize
    const head = await file.cursor(address, headBytes, 'B-tree node')
    head.signature('TREE')
    const type = head.u8()
    const level = head.u8()
    const used = head.u16()
    if (type !== 1) throw head.error(`B-tree node type ${type}, not a chunk index`)
    const bodyBytes = (used + 1) * keyBytes + used * file.offsetSize
    const c = await file.cursor(address + headBytes, bodyBytes, 'B-tree entries')
    const children: number[] = []
    for (let i = 0; i < used; i++) {
      const size = c.u32()
      const filterMask = c.u32()
      const offsets = Array.from({ length: rank + 1 }, () => c.uint(8))
      const child = c.address()
      if (child === undefined) throw c.error('B-tree child at the undefined address')
      if (level > 0) {
        children.push(child)
        continue
      }
      const coords = offsets.slice(0, rank).map((o, d) => o / g.chunkDims[d]!)
      if (!coords.every(Number.isInteger)) throw c.error('chunk offset not on the chunk grid')
      entries.set(coords.join(','), { address: child, size, filterMask })
    }
    for (const child of children) await walk(child, depth + 1)
  }
  await walk(root, 0)
  return { entry: async (coords) => entries.get(coords.join(',')) }
}
