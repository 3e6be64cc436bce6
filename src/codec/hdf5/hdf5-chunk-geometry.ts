import type { Hdf5Cursor } from './hdf5-cursor.js'

// What the chunk-index readers share (hdf5-chunk-index.ts opens an index, the array and
// version-2 B-tree readers read theirs): kept apart so that none of them imports another in a
// circle.

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
