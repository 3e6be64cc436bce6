import { ProtocolError } from '../errors.js'
import { bitunshuffleBlock } from './bitshuffle.js'
import {
  BITSHUFFLE_BLOCK_MULTIPLE,
  BITSHUFFLE_LZ4_HEADER_BYTES,
  readBitshuffleLz4Header,
} from './bitshuffle-lz4-header.js'
import { decompressLz4Block, type Lz4BlockDecompressor } from './lz4-block.js'
import { type Bslz4Block, Bslz4BlockFailed, wasmBslz4 } from './wasm/bslz4-decoder.js'

/** Default ceiling on the uncompressed size a header may announce: 2 GiB. */
const DEFAULT_MAX_BYTES = 2 ** 31

/** Options of `decodeBitshuffleLz4`. */
export interface BitshuffleLz4DecodeOptions {
  /** LZ4 block decompressor; defaults to the TypeScript `decompressLz4Block`. */
  readonly decompressBlock?: Lz4BlockDecompressor
  /** Refuse blobs whose header announces more bytes than this (default 2 GiB). */
  readonly maxBytes?: number
  /**
   * `wasm` (the default where WebAssembly with SIMD is available): the blocks are decoded by
   * `src/codec/wasm/bslz4.c`; `ts`: by the TypeScript decoder, which a `decompressBlock` also
   * implies. Both give the same bytes and the same errors.
   */
  readonly implementation?: 'wasm' | 'ts'
}

/** What `decodeBitshuffleLz4` produced. */
export interface BitshuffleLz4Result {
  /**
   * The decoded elements, little or big endian as they were before compression. When the
   * blob was complete this is the whole payload; otherwise it is the prefix covered by the
   * whole blocks present (`elementsDecoded * elementSize` bytes). Turn it into a typed array
   * with `viewAs` from `devices/dtype`.
   */
  readonly bytes: Uint8Array
  /** True when every block and the raw remainder were present. */
  readonly complete: boolean
  /** Elements in `bytes`. */
  readonly elementsDecoded: number
  /** Elements the header announced. */
  readonly totalElements: number
  readonly elementSize: number
}

/** Elements in the block that starts after `done` of `total` elements (0: no more blocks). */
function blockSize(total: number, done: number, blockElements: number): number {
  const left = total - done
  return Math.min(blockElements, left - (left % BITSHUFFLE_BLOCK_MULTIPLE))
}

function blockError(index: number, at: number, reason: string, cause?: unknown): ProtocolError {
  return new ProtocolError(`bitshuffle-LZ4 block ${index} (blob byte ${at}): ${reason}`, {
    code: 'DECODE_FAILED',
    cause,
  })
}

/**
 * Decodes a bitshuffle-LZ4 blob — the framing of HDF5 filter 32008, DECTRIS `bs32-lz4<`
 * and STINS `bslz4`: a 12-byte header (see `readBitshuffleLz4Header`), then blocks of
 * `blockElements` elements (the last one shorter, a multiple of 8 elements), each a
 * big-endian u32 compressed length and an LZ4 block of bit-shuffled data, then the last
 * `totalElements % 8` elements raw.
 *
 * A truncated blob is not an error: decoding stops after the last whole block and the
 * result says `complete: false` (the raw remainder counts only when everything before it is
 * present). A length prefix that points past the end is read as truncation.
 *
 * @param elementSize bytes per element (the bitshuffle element size: 4 for uint32).
 * @throws ProtocolError with code `DECODE_FAILED` for a bad header, a corrupt LZ4 block, or
 *   a block that does not decompress to exactly its size. Never writes out of bounds.
 */
export function decodeBitshuffleLz4(
  blob: Uint8Array,
  elementSize: number,
  opts: BitshuffleLz4DecodeOptions = {},
): BitshuffleLz4Result {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES
  const { totalElements, blockElements } = readBitshuffleLz4Header(blob, elementSize, maxBytes)
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength)

  // Pass 1: walk the length prefixes to find the whole blocks, so the output is allocated
  // once and at its final size even for a truncated blob.
  let pos = BITSHUFFLE_LZ4_HEADER_BYTES
  const blocks: Bslz4Block[] = []
  let blockedElements = 0
  for (;;) {
    const n = blockSize(totalElements, blockedElements, blockElements)
    if (n === 0 || blob.length - pos < 4) break
    const compressedBytes = view.getUint32(pos)
    if (compressedBytes > blob.length - pos - 4) break
    blocks.push({ offset: pos + 4, length: compressedBytes, elements: n })
    pos += 4 + compressedBytes
    blockedElements += n
  }
  const remainder = totalElements - blockedElements
  const allBlocks = remainder < BITSHUFFLE_BLOCK_MULTIPLE
  const complete = allBlocks && blob.length - pos >= remainder * elementSize
  const elementsDecoded = complete ? totalElements : blockedElements
  const bytes = new Uint8Array(elementsDecoded * elementSize)

  // Pass 2: decompress each block, unshuffle into place.
  const useWasm = opts.decompressBlock === undefined && opts.implementation !== 'ts'
  if (!(useWasm && decodeBlocksWasm(blob, blocks, elementSize, bytes))) {
    decodeBlocksTs(blob, blocks, elementSize, bytes, opts.decompressBlock ?? decompressLz4Block)
  }
  if (complete && remainder > 0) {
    bytes.set(blob.subarray(pos, pos + remainder * elementSize), blockedElements * elementSize)
  }
  return { bytes, complete, elementsDecoded, totalElements, elementSize }
}

/**
 * Decode the blocks with the WebAssembly decoder; false when it is not available or refused a
 * block (the TypeScript decoder then says what is wrong with it, in its own words).
 */
function decodeBlocksWasm(
  blob: Uint8Array,
  blocks: readonly Bslz4Block[],
  elementSize: number,
  bytes: Uint8Array,
): boolean {
  const wasm = wasmBslz4()
  if (wasm === undefined || blocks.length === 0) return false
  try {
    wasm.decodeBlocks(blob, blocks, elementSize, bytes)
    return true
  } catch (err) {
    if (err instanceof Bslz4BlockFailed) return false
    throw err
  }
}

/** Decompress each block into scratch, unshuffle it into place (the TypeScript decoder). */
function decodeBlocksTs(
  blob: Uint8Array,
  blocks: readonly Bslz4Block[],
  elementSize: number,
  bytes: Uint8Array,
  decompress: Lz4BlockDecompressor,
): void {
  let largest = 0
  for (const b of blocks) largest = Math.max(largest, b.elements * elementSize)
  const scratch = new Uint8Array(largest)
  let at = 0
  for (const [index, b] of blocks.entries()) {
    const expected = b.elements * elementSize
    const block = blob.subarray(b.offset, b.offset + b.length)
    let written: number
    try {
      written = decompress(block, scratch, 0, expected)
    } catch (err) {
      // A plugged-in decompressor may throw anything; report it as a decode failure.
      throw blockError(index, b.offset - 4, err instanceof Error ? err.message : String(err), err)
    }
    if (written !== expected) {
      throw blockError(
        index,
        b.offset - 4,
        `decompressed to ${written} bytes instead of ${expected}`,
      )
    }
    bitunshuffleBlock(scratch, 0, bytes, at, b.elements, elementSize)
    at += expected
  }
}
