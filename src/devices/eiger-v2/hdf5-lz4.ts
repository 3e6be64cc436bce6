import { decompressLz4Block, type Lz4BlockDecompressor } from '../../codec/lz4-block.js'
import { compressLz4Block, lz4BlockBound } from '../../codec/lz4-block-compress.js'
import { ProtocolError } from '../../errors.js'

/** Bytes of the header: big-endian u64 uncompressed size, u32 block size. */
const HEADER_BYTES = 12
/** The HDF5 LZ4 filter's default block size: 1 GiB. */
const DEFAULT_BLOCK_BYTES = 1 << 30
const DEFAULT_MAX_BYTES = 2 ** 31

function fail(reason: string): ProtocolError {
  return new ProtocolError(`LZ4 (HDF5 framing): ${reason}`, { code: 'DECODE_FAILED' })
}

/**
 * Decodes LZ4 with the framing of the HDF5 LZ4 filter (32004), as DECTRIS Stream V2 `lz4`
 * uses it: a big-endian u64 uncompressed size and u32 block size, then per block a
 * big-endian u32 compressed size and the LZ4 block — or the block's bytes stored as they
 * are when that size equals the block's uncompressed size.
 *
 * @throws ProtocolError `DECODE_FAILED` when the header or a block is cut short or corrupt,
 *   bytes are left over, or the size exceeds `maxBytes` (default 2 GiB).
 */
export function decodeHdf5Lz4(
  blob: Uint8Array,
  opts: { readonly maxBytes?: number; readonly decompressBlock?: Lz4BlockDecompressor } = {},
): Uint8Array {
  if (blob.length < HEADER_BYTES) throw fail(`${blob.length} bytes, shorter than the header`)
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength)
  const total = view.getBigUint64(0)
  const blockBytes = view.getUint32(8)
  if (total > BigInt(opts.maxBytes ?? DEFAULT_MAX_BYTES)) throw fail(`size ${total} is too large`)
  const out = new Uint8Array(Number(total))
  if (out.length > 0 && blockBytes === 0) throw fail('block size 0')
  const decompress = opts.decompressBlock ?? decompressLz4Block
  let pos = HEADER_BYTES
  for (let done = 0; done < out.length; ) {
    const n = Math.min(blockBytes, out.length - done)
    if (blob.length - pos < 4) throw fail(`block at byte ${pos} is cut short`)
    const compressed = view.getUint32(pos)
    pos += 4
    if (compressed > blob.length - pos) throw fail(`block at byte ${pos - 4} is cut short`)
    const block = blob.subarray(pos, pos + compressed)
    if (compressed === n) {
      out.set(block, done)
    } else {
      let written: number
      try {
        written = decompress(block, out, done, done + n)
      } catch (cause) {
        throw new ProtocolError(`LZ4 (HDF5 framing) block at byte ${pos - 4}: ${String(cause)}`, {
          code: 'DECODE_FAILED',
          cause,
        })
      }
      if (written !== n) throw fail(`block at byte ${pos - 4} gave ${written} bytes, not ${n}`)
    }
    pos += compressed
    done += n
  }
  if (pos !== blob.length) throw fail(`${blob.length - pos} bytes after the last block`)
  return out
}

/**
 * Encodes `data` as LZ4 with HDF5 LZ4 filter framing (see `decodeHdf5Lz4`); blocks that do
 * not shrink are stored as they are. Used by simulators and tests.
 *
 * @param blockBytes uncompressed bytes per block (default 1 GiB, the filter's default).
 */
export function encodeHdf5Lz4(
  data: Uint8Array,
  blockBytes: number = DEFAULT_BLOCK_BYTES,
): Uint8Array {
  if (!Number.isInteger(blockBytes) || blockBytes < 1 || blockBytes > 0xffff_ffff) {
    throw new RangeError(`LZ4 (HDF5 framing): bad block size ${blockBytes}`)
  }
  const blocks = Math.ceil(data.length / blockBytes)
  const out = new Uint8Array(HEADER_BYTES + blocks * 4 + lz4BlockBound(data.length) + blocks * 16)
  const view = new DataView(out.buffer)
  view.setBigUint64(0, BigInt(data.length))
  view.setUint32(8, blockBytes)
  let pos = HEADER_BYTES
  for (let done = 0; done < data.length; done += blockBytes) {
    const block = data.subarray(done, Math.min(done + blockBytes, data.length))
    let written = compressLz4Block(block, out, pos + 4)
    if (written >= block.length) {
      out.set(block, pos + 4)
      written = block.length
    }
    view.setUint32(pos, written)
    pos += 4 + written
  }
  return out.slice(0, pos)
}
