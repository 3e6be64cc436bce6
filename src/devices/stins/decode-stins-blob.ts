import { decodeBitshuffleLz4 } from '../../codec/bitshuffle-lz4.js'
import { readBitshuffleLz4Header } from '../../codec/bitshuffle-lz4-header.js'
import type { Lz4BlockDecompressor } from '../../codec/lz4-block.js'
import { ProtocolError } from '../../errors.js'
import { type Dtype, type NumericArray, shapeSize, viewAs } from '../dtype.js'
import type { StinsCompression } from './stins-messages.js'

/** How to read one blob part of a STINS image. */
export interface StinsBlobLayout {
  readonly shape: readonly number[]
  readonly dtype: Dtype
  readonly compression: StinsCompression
  /** LZ4 block decompressor for `bslz4`; defaults to the TypeScript one. */
  readonly decompressBlock?: Lz4BlockDecompressor
}

/**
 * Turns one blob part of a STINS image into a typed array of `shape` elements (row-major,
 * flat). `none`: a zero-copy view on the blob when it is aligned and in host byte order, a
 * copy otherwise. `bslz4`: decoded from bitshuffle-LZ4 (always a fresh buffer).
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when the blob's size (or the size in the bslz4
 *   header) does not match `shape` × dtype; `DECODE_FAILED` when the bslz4 data is corrupt
 *   or truncated.
 */
export function decodeStinsBlob(blob: Uint8Array, layout: StinsBlobLayout): NumericArray {
  const { shape, dtype, compression } = layout
  const expectedBytes = shapeSize(shape) * dtype.itemSize
  if (compression === 'none') {
    if (blob.length !== expectedBytes) {
      throw new ProtocolError(
        `image blob has ${blob.length} bytes, shape [${shape}] of ${dtype.name} needs ${expectedBytes}`,
      )
    }
    return viewAs(blob, dtype)
  }
  const header = readBitshuffleLz4Header(blob, dtype.itemSize)
  if (header.totalBytes !== expectedBytes) {
    throw new ProtocolError(
      `bslz4 blob announces ${header.totalBytes} bytes, shape [${shape}] of ${dtype.name} needs ${expectedBytes}`,
    )
  }
  const decoded = decodeBitshuffleLz4(
    blob,
    dtype.itemSize,
    layout.decompressBlock === undefined
      ? { maxBytes: expectedBytes }
      : { maxBytes: expectedBytes, decompressBlock: layout.decompressBlock },
  )
  if (!decoded.complete) {
    throw new ProtocolError(
      `bslz4 blob truncated: ${blob.length} bytes hold ${decoded.elementsDecoded} of ${decoded.totalElements} elements`,
      { code: 'DECODE_FAILED' },
    )
  }
  return viewAs(decoded.bytes, dtype)
}
