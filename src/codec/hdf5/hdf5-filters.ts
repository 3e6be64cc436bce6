import { inflateSync } from 'node:zlib'
import { decodeHdf5Lz4 } from '../../devices/eiger-v2/hdf5-lz4.js'
import { bitunshuffleBlock } from '../bitshuffle.js'
import { decodeBitshuffleLz4 } from '../bitshuffle-lz4.js'
import { BITSHUFFLE_BLOCK_MULTIPLE, defaultBlockElements } from '../bitshuffle-lz4-header.js'
import { hdf5Error } from './hdf5-cursor.js'
import type { Hdf5Filter } from './hdf5-dataset-messages.js'

export const FILTER_DEFLATE = 1
export const FILTER_SHUFFLE = 2
export const FILTER_FLETCHER32 = 3
export const FILTER_LZ4 = 32004
export const FILTER_BITSHUFFLE = 32008

const NAMES: Readonly<Record<number, string>> = {
  [FILTER_DEFLATE]: 'gzip (deflate)',
  [FILTER_SHUFFLE]: 'shuffle',
  [FILTER_FLETCHER32]: 'fletcher32',
  [FILTER_LZ4]: 'LZ4',
  [FILTER_BITSHUFFLE]: 'bitshuffle',
}

/** Bitshuffle's compression codes (its fifth filter parameter). */
const BSHUF_NONE = 0
const BSHUF_LZ4 = 2

/**
 * Check that every filter of a pipeline can be decoded here: gzip, shuffle, fletcher32, LZ4
 * (32004) and bitshuffle (32008, plain or with LZ4).
 * @throws ProtocolError `DECODE_FAILED` naming a filter that cannot.
 */
export function checkFilters(filters: readonly Hdf5Filter[], where: string): void {
  for (const f of filters) {
    const known = NAMES[f.id] !== undefined
    const compression = f.cdValues[4] ?? BSHUF_NONE
    if (
      !known ||
      (f.id === FILTER_BITSHUFFLE && compression !== BSHUF_NONE && compression !== BSHUF_LZ4)
    ) {
      const what =
        f.id === FILTER_BITSHUFFLE
          ? `bitshuffle with compression ${compression}`
          : `filter ${f.id}${f.name ? ` (${f.name})` : ''}`
      throw hdf5Error(
        where,
        `${what} is not supported (gzip, shuffle, fletcher32, LZ4 and bitshuffle-LZ4 are)`,
      )
    }
  }
}

/**
 * Undo a dataset's filters on one stored chunk, last filter first, skipping those the chunk's
 * filter mask says were not applied. The result must be exactly `chunkBytes` long.
 * @param itemSize bytes per element (shuffle and bitshuffle work per element).
 * @throws ProtocolError `DECODE_FAILED` for data a filter cannot decode, a fletcher32 checksum
 *   that does not match, or a result of the wrong size.
 */
export function decodeChunk(
  stored: Uint8Array,
  filters: readonly Hdf5Filter[],
  filterMask: number,
  chunkBytes: number,
  itemSize: number,
  where: string,
): Uint8Array {
  let data = stored
  for (let i = filters.length - 1; i >= 0; i--) {
    if (filterMask & (1 << i)) continue
    const f = filters[i]!
    try {
      data = undo(f, data, chunkBytes, itemSize)
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err)
      throw hdf5Error(where, `${NAMES[f.id] ?? `filter ${f.id}`}: ${reason}`, err)
    }
  }
  if (data.length !== chunkBytes) {
    throw hdf5Error(where, `chunk decodes to ${data.length} bytes, expected ${chunkBytes}`)
  }
  return data
}

function undo(f: Hdf5Filter, data: Uint8Array, chunkBytes: number, itemSize: number): Uint8Array {
  switch (f.id) {
    case FILTER_DEFLATE: {
      // A little room for a checksum filter applied before deflate.
      const out = inflateSync(data, { maxOutputLength: chunkBytes + 64 })
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
    }
    case FILTER_SHUFFLE:
      return unshuffle(data, f.cdValues[0] ?? itemSize)
    case FILTER_FLETCHER32:
      return checkFletcher32(data)
    case FILTER_LZ4:
      return decodeHdf5Lz4(data, { maxBytes: chunkBytes + 64 })
    case FILTER_BITSHUFFLE: {
      const size = f.cdValues[2] ?? itemSize
      if ((f.cdValues[4] ?? BSHUF_NONE) === BSHUF_LZ4) {
        const r = decodeBitshuffleLz4(data, size, { maxBytes: chunkBytes + 64 })
        if (!r.complete) throw new Error('the chunk is cut short')
        return r.bytes
      }
      return bitunshuffle(data, size, f.cdValues[3] ?? 0)
    }
    default:
      throw new Error(`filter ${f.id} is not supported`)
  }
}

/** Undo HDF5's shuffle: byte j of element i was stored at `j * n + i`; trailing bytes as they are. */
function unshuffle(data: Uint8Array, size: number): Uint8Array {
  if (size <= 1) return data
  const n = Math.floor(data.length / size)
  const out = new Uint8Array(data.length)
  for (let j = 0; j < size; j++) {
    const from = j * n
    for (let i = 0; i < n; i++) out[i * size + j] = data[from + i]!
  }
  out.set(data.subarray(n * size), n * size)
  return out
}

/** Undo plain bitshuffle (no compression): whole blocks, then a last shorter one, then raw. */
function bitunshuffle(data: Uint8Array, size: number, blockElements: number): Uint8Array {
  const block = blockElements > 0 ? blockElements : defaultBlockElements(size)
  if (block % BITSHUFFLE_BLOCK_MULTIPLE !== 0) throw new Error(`block of ${block} elements`)
  const total = Math.floor(data.length / size)
  const out = new Uint8Array(data.length)
  let done = 0
  while (total - done >= BITSHUFFLE_BLOCK_MULTIPLE) {
    const left = total - done
    const n = Math.min(block, left - (left % BITSHUFFLE_BLOCK_MULTIPLE))
    bitunshuffleBlock(data, done * size, out, done * size, n, size)
    done += n
  }
  out.set(data.subarray(done * size), done * size)
  return out
}

/** HDF5's Fletcher-32 over 16-bit big-endian words (an odd last byte counts as the high one). */
export function fletcher32(data: Uint8Array): number {
  let sum1 = 0
  let sum2 = 0
  let i = 0
  let words = data.length >> 1
  while (words > 0) {
    const run = Math.min(words, 360)
    words -= run
    for (let k = 0; k < run; k++, i += 2) {
      sum1 += (data[i]! << 8) | data[i + 1]!
      sum2 += sum1
    }
    sum1 = (sum1 & 0xffff) + (sum1 >>> 16)
    sum2 = (sum2 & 0xffff) + (sum2 >>> 16)
  }
  if (data.length % 2 === 1) {
    sum1 += data[i]! << 8
    sum2 += sum1
    sum1 = (sum1 & 0xffff) + (sum1 >>> 16)
    sum2 = (sum2 & 0xffff) + (sum2 >>> 16)
  }
  sum1 = (sum1 & 0xffff) + (sum1 >>> 16)
  sum2 = (sum2 & 0xffff) + (sum2 >>> 16)
  return ((sum2 << 16) | sum1) >>> 0
}

function checkFletcher32(data: Uint8Array): Uint8Array {
  if (data.length < 4) throw new Error('no room for the checksum')
  const body = data.subarray(0, data.length - 4)
  const view = new DataView(data.buffer, data.byteOffset + body.length, 4)
  const stored = view.getUint32(0, true)
  const computed = fletcher32(body)
  // Files of HDF5 1.6.0–1.8.0 stored it byte-swapped; the library accepts both.
  const swapped =
    ((computed & 0xff) << 24) |
    ((computed & 0xff00) << 8) |
    ((computed >>> 8) & 0xff00) |
    (computed >>> 24)
  if (stored !== computed && stored !== swapped >>> 0) {
    throw new Error(`checksum ${stored.toString(16)} does not match ${computed.toString(16)}`)
  }
  return body
}
