import {
  type ChunkEntry,
  type ChunkGeometry,
  type ChunkLocator,
  decodeChunkElement,
  linear,
  maxGrid,
} from './hdf5-chunk-geometry.js'
import { type Hdf5Cursor, hdf5Error } from './hdf5-cursor.js'
import type { Hdf5File } from './hdf5-file.js'

/** Blocks kept decoded per index (sequential frame reads revisit the same few). */
const BLOCK_CACHE = 64

function log2(n: number): number {
  return Math.floor(Math.log2(n))
}

/** Whether bit `i` of an HDF5 bitmap is set (HDF5 numbers bits from the high end of a byte). */
function bitSet(bitmap: Uint8Array, i: number): boolean {
  return ((bitmap[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0
}

/** A tiny bounded cache of decoded blocks by address. */
class BlockCache<T> {
  readonly #items = new Map<number, Promise<T>>()

  get(address: number, load: () => Promise<T>): Promise<T> {
    const hit = this.#items.get(address)
    if (hit !== undefined) return hit
    const value = load()
    this.#items.set(address, value)
    if (this.#items.size > BLOCK_CACHE) {
      const oldest = this.#items.keys().next().value
      if (oldest !== undefined) this.#items.delete(oldest)
    }
    value.catch(() => this.#items.delete(address))
    return value
  }
}

/**
 * The fixed-array and extensible-array chunk indexes of layout version 4 (what `libver=latest`
 * writes: a fixed array for datasets of fixed size, an extensible array for one unlimited
 * dimension). Blocks are read on demand.
 */
export async function readArrayChunkIndex(
  file: Hdf5File,
  type: 'fixed-array' | 'extensible-array',
  address: number,
  g: ChunkGeometry,
): Promise<ChunkLocator> {
  return type === 'fixed-array'
    ? await readFixedArray(file, address, g)
    : await readExtensibleArray(file, address, g)
}

async function readFixedArray(file: Hdf5File, address: number, g: ChunkGeometry) {
  const O = file.offsetSize
  const h = await file.cursor(address, 4 + 4 + file.lengthSize + O + 4, 'fixed array header')
  h.signature('FAHD')
  h.skip(1)
  const clientId = h.u8()
  const elementSize = h.u8()
  const pageBits = h.u8()
  const count = h.length()
  const blockAddress = h.address()
  const filtered = clientId === 1
  const grid = maxGrid(g)
  if (blockAddress === undefined) return { entry: async () => undefined }
  const pageElements = 2 ** pageBits
  const paged = count > pageElements
  const pages = Math.ceil(count / pageElements)
  const bitmapBytes = paged ? Math.ceil(pages / 8) : 0
  const prefix = 4 + 1 + 1 + O
  const block = await file.cursor(blockAddress, prefix + bitmapBytes, 'fixed array data block')
  block.signature('FADB')
  block.skip(2 + O)
  const bitmap = block.bytes(bitmapBytes)
  const cache = new BlockCache<(ChunkEntry | undefined)[]>()
  const readRun = (at: number, n: number, what: string) =>
    cache.get(at, async () => {
      const c = await file.cursor(at, n * elementSize, what)
      return Array.from({ length: n }, () =>
        decodeChunkElement(c, elementSize, filtered, g.chunkBytes, O),
      )
    })
  return {
    entry: async (coords: readonly number[]): Promise<ChunkEntry | undefined> => {
      const index = linear(coords, grid)
      if (index >= count) return undefined
      if (!paged)
        return (await readRun(blockAddress + prefix, count, 'fixed array elements'))[index]
      const page = Math.floor(index / pageElements)
      if (!bitSet(bitmap, page)) return undefined
      const pagesStart = blockAddress + prefix + bitmapBytes + 4
      const pageAddress = pagesStart + page * (pageElements * elementSize + 4)
      const n = Math.min(pageElements, count - page * pageElements)
      return (await readRun(pageAddress, n, 'fixed array page'))[index - page * pageElements]
    },
  }
}

interface SuperBlockInfo {
  readonly dataBlocks: number
  readonly dataBlockElements: number
  readonly startIndex: number
  readonly startDataBlock: number
}

async function readExtensibleArray(file: Hdf5File, address: number, g: ChunkGeometry) {
  const O = file.offsetSize
  const L = file.lengthSize
  const h = await file.cursor(address, 4 + 2 + 6 + 6 * L + O + 4, 'extensible array header')
  h.signature('EAHD')
  h.skip(1)
  const clientId = h.u8()
  const elementSize = h.u8()
  const maxBits = h.u8()
  const indexElements = h.u8()
  const minDataElements = h.u8()
  const minDataPointers = h.u8()
  const pageBits = h.u8()
  for (let i = 0; i < 4; i++) h.length()
  const maxIndexSet = h.length()
  h.length()
  const indexAddress = h.address()
  const filtered = clientId === 1
  if (indexAddress === undefined) return { entry: async () => undefined }
  if (minDataElements < 1 || minDataPointers < 1 || maxBits > 64) {
    throw h.error('extensible array parameters out of range')
  }

  // The super block layout HDF5 derives from the creation parameters.
  const superBlocks: SuperBlockInfo[] = []
  const count = 1 + maxBits - log2(minDataElements)
  for (let s = 0, startIndex = 0, startDataBlock = 0; s < count; s++) {
    const dataBlocks = 2 ** Math.floor(s / 2)
    const dataBlockElements = 2 ** Math.floor((s + 1) / 2) * minDataElements
    superBlocks.push({ dataBlocks, dataBlockElements, startIndex, startDataBlock })
    startIndex += dataBlocks * dataBlockElements
    startDataBlock += dataBlocks
  }
  const directSuperBlocks = 2 * log2(minDataPointers)
  const directDataBlocks = 2 * (minDataPointers - 1)
  const indirect = Math.max(0, count - directSuperBlocks)
  const offsetBytes = Math.ceil(maxBits / 8)
  const pageElements = 2 ** pageBits

  const ib = await file.cursor(
    indexAddress,
    4 + 2 + O + indexElements * elementSize + (directDataBlocks + indirect) * O,
    'extensible array index block',
  )
  ib.signature('EAIB')
  ib.skip(2 + O)
  const element = (c: Hdf5Cursor) => decodeChunkElement(c, elementSize, filtered, g.chunkBytes, O)
  const inIndex = Array.from({ length: indexElements }, () => element(ib))
  const dataBlockAddresses = Array.from({ length: directDataBlocks }, () => ib.address())
  const superBlockAddresses = Array.from({ length: indirect }, () => ib.address())

  const blocks = new BlockCache<(ChunkEntry | undefined)[]>()
  const secondary = new BlockCache<{ addresses: (number | undefined)[]; bitmap: Uint8Array }>()
  const dataBlock = (at: number, n: number, pageInit: (page: number) => boolean) => {
    const prefix = 4 + 2 + O + offsetBytes
    if (n <= pageElements) {
      return blocks.get(at, async () => {
        const c = await file.cursor(at, prefix + n * elementSize, 'extensible array data block')
        c.signature('EADB')
        c.skip(2 + O + offsetBytes)
        return Array.from({ length: n }, () => element(c))
      })
    }
    return {
      page: (p: number) => {
        if (!pageInit(p)) return Promise.resolve([] as (ChunkEntry | undefined)[])
        const pageAt = at + prefix + 4 + p * (pageElements * elementSize + 4)
        return blocks.get(pageAt, async () => {
          const c = await file.cursor(pageAt, pageElements * elementSize, 'extensible array page')
          return Array.from({ length: pageElements }, () => element(c))
        })
      },
    }
  }
  const fromBlock = async (
    at: number | undefined,
    n: number,
    offset: number,
    pageInit: (page: number) => boolean,
  ): Promise<ChunkEntry | undefined> => {
    if (at === undefined) return undefined
    const block = dataBlock(at, n, pageInit)
    if ('page' in block) {
      const page = Math.floor(offset / pageElements)
      return (await block.page(page))[offset - page * pageElements]
    }
    return (await block)[offset]
  }

  const grid = maxGrid(g)
  // HDF5 numbers an extensible array's chunks with the unlimited dimension first.
  const unlimited = g.maxDims.indexOf(null)
  const order =
    unlimited <= 0
      ? grid.map((_, d) => d)
      : [unlimited, ...[...grid.keys()].filter((d) => d !== unlimited)]
  const swizzledGrid = order.map((d) => grid[d]!)
  return {
    entry: async (coords: readonly number[]): Promise<ChunkEntry | undefined> => {
      let index = linear(
        order.map((d) => coords[d]!),
        swizzledGrid,
      )
      if (index >= maxIndexSet) return undefined
      if (index < indexElements) return inIndex[index]
      index -= indexElements
      const s = log2(Math.floor(index / minDataElements) + 1)
      const info = superBlocks[s]
      if (info === undefined)
        throw hdf5Error(`${file.path} extensible array`, `index ${index} out of range`)
      const local = index - info.startIndex
      const which = Math.floor(local / info.dataBlockElements)
      const offset = local % info.dataBlockElements
      if (s < directSuperBlocks) {
        const at = dataBlockAddresses[info.startDataBlock + which]
        return fromBlock(at, info.dataBlockElements, offset, () => true)
      }
      const superAt = superBlockAddresses[s - directSuperBlocks]
      if (superAt === undefined) return undefined
      const pagesPerBlock =
        info.dataBlockElements > pageElements ? info.dataBlockElements / pageElements : 0
      const bitmapBytes = pagesPerBlock > 0 ? info.dataBlocks * Math.ceil(pagesPerBlock / 8) : 0
      const sb = await secondary.get(superAt, async () => {
        const c = await file.cursor(
          superAt,
          4 + 2 + O + offsetBytes + bitmapBytes + info.dataBlocks * O,
          'extensible array secondary block',
        )
        c.signature('EASB')
        c.skip(2 + O + offsetBytes)
        const bitmap = c.bytes(bitmapBytes)
        return { bitmap, addresses: Array.from({ length: info.dataBlocks }, () => c.address()) }
      })
      return fromBlock(sb.addresses[which], info.dataBlockElements, offset, (page) =>
        bitSet(sb.bitmap, which * pagesPerBlock + page),
      )
    },
  }
}
