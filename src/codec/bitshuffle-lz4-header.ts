import { ProtocolError } from '../errors.js'

/** Bytes of the header in front of every bitshuffle-LZ4 blob. */
export const BITSHUFFLE_LZ4_HEADER_BYTES = 12

/** Target block size of bitshuffle's default, in bytes (`BSHUF_TARGET_BLOCK_SIZE_B`). */
const TARGET_BLOCK_BYTES = 8192
/** Blocks hold a multiple of this many elements (`BSHUF_BLOCKED_MULT`). */
export const BITSHUFFLE_BLOCK_MULTIPLE = 8
const MIN_DEFAULT_BLOCK_ELEMENTS = 128

/**
 * The 12-byte header of a bitshuffle-LZ4 blob (HDF5 filter 32008, DECTRIS `bs32-lz4<`,
 * STINS `bslz4`), resolved for one element size.
 */
export interface BitshuffleLz4Header {
  /** Uncompressed size in bytes (big-endian u64 on the wire). */
  readonly totalBytes: number
  /** Elements in every block but the last (the u32 block size in bytes ÷ element size). */
  readonly blockElements: number
  /** Uncompressed elements: `totalBytes / elementSize`. */
  readonly totalElements: number
}

/**
 * bitshuffle's default block size, in elements, for elements of `elementSize` bytes: about
 * 8 KiB, a multiple of 8 elements, at least 128 elements.
 */
export function defaultBlockElements(elementSize: number): number {
  const elements = Math.floor(TARGET_BLOCK_BYTES / elementSize / BITSHUFFLE_BLOCK_MULTIPLE)
  return Math.max(MIN_DEFAULT_BLOCK_ELEMENTS, elements * BITSHUFFLE_BLOCK_MULTIPLE)
}

function fail(reason: string): ProtocolError {
  return new ProtocolError(`bitshuffle-LZ4 header: ${reason}`, { code: 'DECODE_FAILED' })
}

/**
 * Reads and checks the header of a bitshuffle-LZ4 blob: a big-endian u64 of uncompressed
 * bytes and a big-endian u32 block size in bytes (0 means bitshuffle's default).
 *
 * @param maxBytes refuse headers announcing more uncompressed bytes than this.
 * @throws ProtocolError with code `DECODE_FAILED` when the blob is shorter than the header,
 *   the sizes are not whole elements, the block is not a multiple of 8 elements, or the
 *   total exceeds `maxBytes`.
 */
export function readBitshuffleLz4Header(
  blob: Uint8Array,
  elementSize: number,
  maxBytes: number = Number.MAX_SAFE_INTEGER,
): BitshuffleLz4Header {
  if (!Number.isInteger(elementSize) || elementSize < 1) {
    throw new RangeError(
      `bitshuffle-LZ4: element size must be a positive integer, got ${elementSize}`,
    )
  }
  if (blob.length < BITSHUFFLE_LZ4_HEADER_BYTES) {
    throw fail(`blob of ${blob.length} bytes is shorter than the 12-byte header`)
  }
  const view = new DataView(blob.buffer, blob.byteOffset, BITSHUFFLE_LZ4_HEADER_BYTES)
  const high = view.getUint32(0)
  const low = view.getUint32(4)
  const blockBytes = view.getUint32(8)
  // 2^21 × 2^32 = 2^53: anything above is not a safe integer (and not a real image).
  if (high >= 0x20_0000) throw fail('uncompressed size does not fit 2^53 bytes')
  const totalBytes = high * 0x1_0000_0000 + low
  if (totalBytes > maxBytes) {
    throw fail(`uncompressed size ${totalBytes} bytes exceeds the limit of ${maxBytes}`)
  }
  if (totalBytes % elementSize !== 0) {
    throw fail(
      `uncompressed size ${totalBytes} is not a multiple of the ${elementSize}-byte element`,
    )
  }
  let blockElements: number
  if (blockBytes === 0) {
    blockElements = defaultBlockElements(elementSize)
  } else {
    blockElements = blockBytes / elementSize
    if (!Number.isInteger(blockElements) || blockElements % BITSHUFFLE_BLOCK_MULTIPLE !== 0) {
      throw fail(
        `block size ${blockBytes} bytes is not a multiple of 8 elements of ${elementSize} bytes`,
      )
    }
  }
  return { totalBytes, blockElements, totalElements: totalBytes / elementSize }
}
