import { bitshuffleBlock } from './bitshuffle.js'
import {
  BITSHUFFLE_BLOCK_MULTIPLE,
  BITSHUFFLE_LZ4_HEADER_BYTES,
  defaultBlockElements,
} from './bitshuffle-lz4-header.js'
import { compressLz4Block, type Lz4BlockCompressor, lz4BlockBound } from './lz4-block-compress.js'

/** Options of `encodeBitshuffleLz4`. */
export interface BitshuffleLz4EncodeOptions {
  /**
   * Block size in elements, a multiple of 8; 0 or absent means bitshuffle's default
   * (8 KiB worth of elements). The header always records the size used, in bytes, as the
   * HDF5 filter does.
   */
  readonly blockElements?: number
  /** LZ4 block compressor; defaults to the TypeScript `compressLz4Block`. */
  readonly compressBlock?: Lz4BlockCompressor
}

/**
 * Encodes `data` (whole elements of `elementSize` bytes) as a bitshuffle-LZ4 blob that
 * `decodeBitshuffleLz4`, the bitshuffle HDF5 filter and DECTRIS `bs32-lz4<` readers accept.
 * Used by device simulators and tests.
 *
 * @throws RangeError when `data` is not whole elements or the block size is not a positive
 *   multiple of 8 elements (programming errors).
 */
export function encodeBitshuffleLz4(
  data: Uint8Array,
  elementSize: number,
  opts: BitshuffleLz4EncodeOptions = {},
): Uint8Array {
  if (!Number.isInteger(elementSize) || elementSize < 1 || data.length % elementSize !== 0) {
    throw new RangeError(
      `bitshuffle-LZ4: ${data.length} bytes are not whole elements of ${elementSize} bytes`,
    )
  }
  const blockElements = opts.blockElements || defaultBlockElements(elementSize)
  if (!Number.isInteger(blockElements) || blockElements % BITSHUFFLE_BLOCK_MULTIPLE !== 0) {
    throw new RangeError(
      `bitshuffle-LZ4: block of ${blockElements} elements is not a multiple of 8`,
    )
  }
  const blockBytes = blockElements * elementSize
  if (blockBytes > 0xffff_ffff) throw new RangeError('bitshuffle-LZ4: block size exceeds 4 GiB')
  const compress = opts.compressBlock ?? compressLz4Block
  const totalElements = data.length / elementSize
  const blockCount = Math.ceil(totalElements / blockElements)

  const capacity =
    BITSHUFFLE_LZ4_HEADER_BYTES + blockCount * (4 + lz4BlockBound(blockBytes)) + data.length
  const out = new Uint8Array(capacity)
  const view = new DataView(out.buffer)
  view.setUint32(0, Math.floor(data.length / 0x1_0000_0000))
  view.setUint32(4, data.length >>> 0)
  view.setUint32(8, blockBytes)

  const shuffled = new Uint8Array(blockBytes)
  let pos = BITSHUFFLE_LZ4_HEADER_BYTES
  let done = 0
  for (;;) {
    const left = totalElements - done
    const n = Math.min(blockElements, left - (left % BITSHUFFLE_BLOCK_MULTIPLE))
    if (n === 0) break
    const input = n === blockElements ? shuffled : shuffled.subarray(0, n * elementSize)
    bitshuffleBlock(data, done * elementSize, input, 0, n, elementSize)
    const written = compress(input, out, pos + 4)
    view.setUint32(pos, written)
    pos += 4 + written
    done += n
  }
  const rawBytes = data.length - done * elementSize
  out.set(data.subarray(done * elementSize), pos)
  return out.slice(0, pos + rawBytes)
}
