import { readArrayChunkIndex } from './hdf5-array-index.js'
import { readBTreeV2 } from './hdf5-btree2-index.js'
import { type Hdf5Cursor, hdf5Error } from './hdf5-cursor.js'
import type { ChunkIndex } from './hdf5-dataset-messages.js'
import type { Hdf5File } from './hdf5-file.js'

/** Where one chunk is stored. */
export interface ChunkEntry {
  readonly address: number
  /** Stored (filtered) bytes. */
  readonly size: number
  /** Bit i set: filter i of the pipeline was skipped for this chunk. */
  readonly filterMask: number
}

/** Finds chunks by their coordinates in the chunk grid (offset / chunk size per dimension). */
export interface ChunkLocator {
  /** The chunk at `coords`, or `undefined` when it was never written (fill value). */
  entry(coords: readonly number[]): Promise<ChunkEntry | undefined>
}

/** What the index readers need to know about the dataset. */
export interface ChunkGeometry {
  readonly dims: readonly number[]
  readonly maxDims: readonly (number | null)[]
  readonly chunkDims: readonly number[]
  /** Bytes of one whole chunk, unfiltered. */
  readonly chunkBytes: number
  /** Whether the dataset has filters (changes how array indexes store entries). */
  readonly filtered: boolean
}

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

/** Chunks per dimension of the grid over the maximum dimensions (unlimited: current). */
export function maxGrid(g: ChunkGeometry): number[] {
  return g.chunkDims.map((c, d) => Math.ceil((g.maxDims[d] ?? g.dims[d]!) / c))
}

/** Row-major position of `coords` in a grid. */
export function linear(coords: readonly number[], grid: readonly number[]): number {
  let index = 0
  for (let d = 0; d < grid.length; d++) index = index * grid[d]! + coords[d]!
  return index
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

/** Decode one array-index element: a chunk address, and for filtered chunks size and mask. */
export function decodeChunkElement(
  c: Hdf5Cursor,
  elementSize: number,
  filtered: boolean,
  chunkBytes: number,
  offsetSize: number,
): ChunkEntry | undefined {
  const address = c.address()
  if (!filtered)
    return address === undefined ? undefined : { address, size: chunkBytes, filterMask: 0 }
  const size = c.uint(elementSize - offsetSize - 4)
  const filterMask = c.u32()
  return address === undefined ? undefined : { address, size, filterMask }
}
