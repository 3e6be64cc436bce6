import { HOST_LITTLE_ENDIAN, swapBytes } from '../../devices/dtype.js'
import { ConfigError } from '../../errors.js'
import type { ChunkLocator } from './hdf5-chunk-geometry.js'
import { openChunkIndex } from './hdf5-chunk-index.js'
import { hdf5Error } from './hdf5-cursor.js'
import {
  type DataLayout,
  type Hdf5Filter,
  type NumericType,
  parseDataspace,
  parseFillValue,
  parseFilterPipeline,
  parseLayout,
  parseNumericType,
} from './hdf5-dataset-messages.js'
import { HDF5_MAX_READ_BYTES, Hdf5File } from './hdf5-file.js'
import { checkFilters, decodeChunk, FILTER_BITSHUFFLE } from './hdf5-filters.js'
import { copyRegion, product } from './hdf5-frame-region.js'
import {
  findMessage,
  MSG_DATASPACE,
  MSG_DATATYPE,
  MSG_FILL_VALUE,
  MSG_FILL_VALUE_OLD,
  MSG_FILTER_PIPELINE,
  MSG_LAYOUT,
  readObjectHeader,
} from './hdf5-object-header.js'

/** Decoded chunks kept for the next frames (chunks spanning several frames), in bytes. */
const CHUNK_CACHE_BYTES = 64 * 1024 * 1024

/**
 * Reads one numeric dataset of rank ≥ 2 frame by frame (index along the first dimension),
 * straight from the file: its header, its chunk index and its chunks, decoded here (gzip,
 * shuffle, fletcher32, LZ4, bitshuffle-LZ4) — no HDF5 library or filter plugin involved.
 * Contiguous and compact layouts are read as they are. `close()` is idempotent.
 */
export class Hdf5DatasetReader {
  readonly dims: readonly number[]
  readonly type: NumericType
  readonly filters: readonly Hdf5Filter[]
  readonly layout: DataLayout
  readonly #file: Hdf5File
  readonly #where: string
  readonly #fill: Uint8Array | undefined
  readonly #chunks: ChunkLocator | undefined
  readonly #cache = new Map<string, Uint8Array>()
  #cachedBytes = 0

  private constructor(init: {
    file: Hdf5File
    where: string
    dims: readonly number[]
    type: NumericType
    filters: readonly Hdf5Filter[]
    layout: DataLayout
    fill: Uint8Array | undefined
    chunks: ChunkLocator | undefined
  }) {
    this.#file = init.file
    this.#where = init.where
    this.dims = init.dims
    this.type = init.type
    this.filters = init.filters
    this.layout = init.layout
    this.#fill = init.fill
    this.#chunks = init.chunks
  }

  /**
   * Open the dataset whose object header is at `address` (relative, as an object reference
   * gives it) in the file at `path`.
   * @throws ConfigError `CONFIG_INVALID` for a dataset that is not numeric, has fewer than two
   *   dimensions or cannot be opened; ProtocolError `DECODE_FAILED` for structures that cannot
   *   be read or filters that are not supported.
   */
  static async open(path: string, address: number, name: string): Promise<Hdf5DatasetReader> {
    const file = await Hdf5File.open(path)
    try {
      const where = `${path}:${name}`
      const messages = await readObjectHeader(file, address)
      const need = (type: number, what: string) => {
        const m = findMessage(messages, type)
        if (m === undefined) throw hdf5Error(where, `no ${what} message (not a dataset?)`)
        return m.data
      }
      const space = parseDataspace(need(MSG_DATASPACE, 'dataspace'), file, where)
      const type = parseNumericType(need(MSG_DATATYPE, 'datatype'), file, where)
      if (type === undefined) {
        throw new ConfigError(`${where}: not a numeric dataset (integers or 32/64-bit floats)`)
      }
      if (space.dims.length < 2) {
        throw new ConfigError(
          `${where}: ${space.dims.length}-dimensional; a stack of frames needs at least 2`,
        )
      }
      const layout = parseLayout(need(MSG_LAYOUT, 'layout'), file, where)
      const pipeline = findMessage(messages, MSG_FILTER_PIPELINE)
      const filters = pipeline === undefined ? [] : parseFilterPipeline(pipeline.data, file, where)
      checkFilters(filters, where)
      const fillMessage =
        findMessage(messages, MSG_FILL_VALUE) ?? findMessage(messages, MSG_FILL_VALUE_OLD)
      const fillBytes =
        fillMessage === undefined
          ? undefined
          : parseFillValue(fillMessage.data, file, where, fillMessage.type === MSG_FILL_VALUE_OLD)
      const fill = fillBytes?.length === type.itemSize ? fillBytes : undefined
      const frameBytes = product(space.dims.slice(1)) * type.itemSize
      const chunkBytes = layout.kind === 'chunked' ? product(layout.chunkDims) * type.itemSize : 0
      if (Math.max(frameBytes, chunkBytes) > HDF5_MAX_READ_BYTES) {
        throw new ConfigError(`${where}: frames or chunks larger than ${HDF5_MAX_READ_BYTES} bytes`)
      }
      let chunks: ChunkLocator | undefined
      if (layout.kind === 'chunked') {
        if (layout.chunkDims.length !== space.dims.length) {
          throw hdf5Error(
            where,
            `chunks of rank ${layout.chunkDims.length} for rank ${space.dims.length}`,
          )
        }
        chunks = await openChunkIndex(file, layout.index, {
          dims: space.dims,
          maxDims: space.maxDims,
          chunkDims: layout.chunkDims,
          chunkBytes,
          filtered: filters.length > 0,
        })
      }
      return new Hdf5DatasetReader({
        file,
        where,
        dims: space.dims,
        type,
        filters,
        layout,
        fill,
        chunks,
      })
    } catch (err) {
      await file.close()
      throw err
    }
  }

  /** How the data is stored: `contiguous`, `compact`, or `chunked (<index>)`. */
  get storage(): string {
    const l = this.layout
    return l.kind === 'chunked' ? `chunked (${l.index.type})` : l.kind
  }

  /** Number of frames (the first dimension). */
  get frames(): number {
    return this.dims[0]!
  }

  /** Shape of one frame (the other dimensions). */
  get frameShape(): readonly number[] {
    return this.dims.slice(1)
  }

  /**
   * Frame `i`, its elements in row-major order and host byte order.
   * @throws RangeError for a frame outside the dataset; ProtocolError `DECODE_FAILED` for data
   *   that cannot be read or decoded.
   */
  async readFrame(i: number): Promise<Uint8Array> {
    if (!Number.isInteger(i) || i < 0 || i >= this.frames) {
      throw new RangeError(`${this.#where}: frame ${i} of ${this.frames}`)
    }
    const itemSize = this.type.itemSize
    const frameElements = product(this.frameShape)
    const frameBytes = frameElements * itemSize
    const layout = this.layout
    let out: Uint8Array
    if (layout.kind === 'compact') {
      out = layout.data.slice(i * frameBytes, (i + 1) * frameBytes)
      if (out.length !== frameBytes) throw hdf5Error(this.#where, 'compact data is cut short')
    } else if (layout.kind === 'contiguous') {
      out =
        layout.address === undefined
          ? this.#filled(frameElements)
          : await this.#file.read(layout.address + i * frameBytes, frameBytes, 'frame')
    } else {
      out = await this.#readChunkedFrame(i, layout.chunkDims)
    }
    if (itemSize > 1 && this.type.littleEndian !== HOST_LITTLE_ENDIAN) swapBytes(out, itemSize)
    return out
  }

  /**
   * Frame `i` as stored, when it is one whole chunk compressed with bitshuffle-LZ4 and nothing
   * else (an EIGER data file): the bytes are a bitshuffle-LZ4 blob with its 12-byte header, as
   * STINS `bslz4` carries it. `undefined` otherwise (other layouts, filters, byte order, a chunk
   * never written or stored unfiltered).
   */
  async readStoredBitshuffleLz4(i: number): Promise<Uint8Array | undefined> {
    const l = this.layout
    const [only, ...more] = this.filters
    const itemSize = this.type.itemSize
    const passes =
      l.kind === 'chunked' &&
      l.chunkDims[0] === 1 &&
      l.chunkDims.slice(1).every((d, k) => d === this.frameShape[k]) &&
      more.length === 0 &&
      only?.id === FILTER_BITSHUFFLE &&
      only.cdValues[4] === 2 &&
      (only.cdValues[2] ?? itemSize) === itemSize &&
      (this.type.littleEndian || itemSize === 1)
    if (!passes || !Number.isInteger(i) || i < 0 || i >= this.frames) return undefined
    const entry = await this.#chunks!.entry([i, ...this.frameShape.map(() => 0)])
    if (entry === undefined || (entry.filterMask & 1) !== 0) return undefined
    const stored = await this.#file.read(entry.address, entry.size, `chunk [${i}]`)
    // Only a blob whose header announces exactly one frame goes out undecoded.
    const frameBytes = product(this.frameShape) * itemSize
    const view = new DataView(stored.buffer, stored.byteOffset, stored.byteLength)
    return stored.length >= 12 && Number(view.getBigUint64(0)) === frameBytes ? stored : undefined
  }

  async close(): Promise<void> {
    this.#cache.clear()
    await this.#file.close()
  }

  async #readChunkedFrame(i: number, chunkDims: readonly number[]): Promise<Uint8Array> {
    const itemSize = this.type.itemSize
    const frameShape = this.frameShape
    const chunkShape = chunkDims.slice(1)
    const out = new Uint8Array(product(frameShape) * itemSize)
    const grid = frameShape.map((d, k) => Math.ceil(d / chunkShape[k]!))
    const row = Math.floor(i / chunkDims[0]!)
    const slab = (i % chunkDims[0]!) * product(chunkShape) * itemSize
    const at = grid.map(() => 0)
    for (;;) {
      const chunk = await this.#chunk([row, ...at], product(chunkDims) * itemSize)
      copyRegion(chunk, slab, out, frameShape, chunkShape, at, itemSize)
      let d = grid.length - 1
      while (d >= 0 && ++at[d]! >= grid[d]!) at[d--] = 0
      if (d < 0) return out
    }
  }

  /** The decoded chunk at grid coordinates `coords` (fill value where never written). */
  async #chunk(coords: readonly number[], chunkBytes: number): Promise<Uint8Array> {
    const key = coords.join(',')
    const hit = this.#cache.get(key)
    if (hit !== undefined) return hit
    const entry = await this.#chunks!.entry(coords)
    let data: Uint8Array
    if (entry === undefined) {
      data = this.#filled(chunkBytes / this.type.itemSize)
    } else {
      const stored = await this.#file.read(entry.address, entry.size, `chunk [${key}]`)
      data =
        this.filters.length === 0
          ? stored
          : decodeChunk(
              stored,
              this.filters,
              entry.filterMask,
              chunkBytes,
              this.type.itemSize,
              `${this.#where} chunk [${key}]`,
            )
      if (data.length !== chunkBytes) {
        throw hdf5Error(
          this.#where,
          `chunk [${key}] has ${data.length} bytes, expected ${chunkBytes}`,
        )
      }
    }
    // Worth keeping only when the next frames are in the same chunk.
    if (chunkBytes <= CHUNK_CACHE_BYTES) {
      this.#cache.set(key, data)
      this.#cachedBytes += data.length
      for (const [k, v] of this.#cache) {
        if (this.#cachedBytes <= CHUNK_CACHE_BYTES) break
        this.#cache.delete(k)
        this.#cachedBytes -= v.length
      }
    }
    return data
  }

  #filled(elements: number): Uint8Array {
    const out = new Uint8Array(elements * this.type.itemSize)
    const fill = this.#fill
    if (fill?.some((b) => b !== 0)) {
      for (let at = 0; at < out.length; at += fill.length) out.set(fill, at)
    }
    return out
  }
}
