import { decodeBitshuffleLz4 } from '../../codec/bitshuffle-lz4.js'
import { readBitshuffleLz4Header } from '../../codec/bitshuffle-lz4-header.js'
import { decompressLz4Block, type Lz4BlockDecompressor } from '../../codec/lz4-block.js'
import { ProtocolError } from '../../errors.js'
import { type Dtype, type NumericArray, viewAs } from '../dtype.js'

/** How an Eiger V1 blob is compressed, from its `encoding` string. */
export type EigerLegacyCompression = 'none' | 'lz4' | 'bslz4'

/** A parsed `encoding` such as `bs32-lz4<`. */
export interface EigerLegacyEncoding {
  readonly compression: EigerLegacyCompression
  /** Bitshuffle element size in bytes (`bs32` → 4); 0 unless `bslz4`. */
  readonly elementBytes: number
  readonly littleEndian: boolean
}

const ENCODING = /^(?:bs(8|16|32|64)-lz4|(lz4))?([<>])$/

/**
 * Parses an Eiger V1 `encoding`: `bs<bits>-lz4<`, `lz4<` or `<` (raw), `>` for big endian.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` for anything else (unknown compression).
 */
export function parseEigerLegacyEncoding(encoding: string): EigerLegacyEncoding {
  const match = ENCODING.exec(encoding)
  if (match === null) {
    throw new ProtocolError(
      `Eiger V1: unknown encoding '${encoding}' (expected bs32-lz4<, bs16-lz4<, bs8-lz4<, lz4< or <)`,
    )
  }
  const [, bits, lz4, order] = match
  const littleEndian = order === '<'
  if (bits !== undefined) {
    return { compression: 'bslz4', elementBytes: Number(bits) / 8, littleEndian }
  }
  return { compression: lz4 === undefined ? 'none' : 'lz4', elementBytes: 0, littleEndian }
}

/** The `encoding` string for a compression and element type (the inverse of the parser). */
export function eigerLegacyEncodingString(
  compression: EigerLegacyCompression,
  dtype: Dtype,
): string {
  const order = dtype.littleEndian || dtype.itemSize === 1 ? '<' : '>'
  if (compression === 'none') return order
  if (compression === 'lz4') return `lz4${order}`
  return `bs${dtype.itemSize * 8}-lz4${order}`
}

/** An array of an Eiger V1 message, possibly cut short by the sender. */
export interface EigerLegacyArray {
  /** Row-major shape, `[rows, cols]` = `[y, x]` (the wire says `[x, y]`). */
  readonly shape: readonly [number, number]
  readonly dtype: Dtype
  /**
   * The elements, row-major. When `complete` is false this is only the decoded prefix
   * (`data.length < rows × cols`): nothing is padded, so a cut frame cannot pass for a
   * whole one.
   */
  readonly data: NumericArray
  /** False when the blob was shorter than the array (the sender or a capture cut it). */
  readonly complete: boolean
}

/** What `decodeEigerLegacyBlob` needs to know about a blob. */
export interface EigerLegacyBlobLayout {
  /** `[x, y]` as on the wire. */
  readonly shapeXY: readonly number[]
  readonly dtype: Dtype
  readonly encoding: EigerLegacyEncoding
  /**
   * Blob size the sender announced (`size` of `dimage_d-1.0`). A shorter blob is truncated
   * (decoded as far as whole blocks go); a blob of exactly this size must decode completely.
   * Absent: a blob that ends early counts as truncated.
   */
  readonly declaredBytes?: number | undefined
  readonly decompressBlock?: Lz4BlockDecompressor | undefined
}

function fail(reason: string, code: 'PROTOCOL_INVALID' | 'DECODE_FAILED'): ProtocolError {
  return new ProtocolError(`Eiger V1 blob: ${reason}`, { code })
}

/**
 * Decodes one Eiger V1 array blob into a row-major typed array of shape `[y, x]`.
 *
 * Truncation is surfaced, not thrown: a blob shorter than announced (or, without an
 * announced size, shorter than the array) yields the decoded prefix with `complete: false`
 * — whole blocks for `bs*-lz4`, whole elements for raw, nothing for `lz4<` (one LZ4 block
 * cannot be decoded in part).
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when the blob is longer than announced, the
 *   bitshuffle element size or header size does not match the dtype and shape, or a raw blob
 *   of the announced size is too short; `DECODE_FAILED` when compressed data is corrupt, or
 *   a blob of the announced size does not decode completely.
 */
export function decodeEigerLegacyBlob(
  blob: Uint8Array,
  layout: EigerLegacyBlobLayout,
): EigerLegacyArray {
  const [x = 0, y = 0] = layout.shapeXY
  const { encoding, declaredBytes } = layout
  const dtype: Dtype = { ...layout.dtype, littleEndian: encoding.littleEndian }
  const shape: [number, number] = [y, x]
  const elements = x * y
  const expectedBytes = elements * dtype.itemSize
  if (declaredBytes !== undefined && blob.length > declaredBytes) {
    throw fail(`${blob.length} bytes, more than the announced ${declaredBytes}`, 'PROTOCOL_INVALID')
  }
  const cut = declaredBytes === undefined ? undefined : blob.length < declaredBytes

  if (encoding.compression === 'none') {
    if (blob.length > expectedBytes || (cut === false && blob.length !== expectedBytes)) {
      throw fail(
        `raw blob of ${blob.length} bytes, shape [${layout.shapeXY}] of ${dtype.name} needs ${expectedBytes}`,
        'PROTOCOL_INVALID',
      )
    }
    const whole = blob.length - (blob.length % dtype.itemSize)
    const data = viewAs(blob.subarray(0, whole), dtype)
    return { shape, dtype, data, complete: whole === expectedBytes }
  }

  if (encoding.compression === 'lz4') {
    if (cut === true)
      return { shape, dtype, data: viewAs(new Uint8Array(0), dtype), complete: false }
    const out = new Uint8Array(expectedBytes)
    const decompress = layout.decompressBlock ?? decompressLz4Block
    let written: number
    try {
      written = decompress(blob, out, 0, expectedBytes)
    } catch (cause) {
      // A plugged-in decompressor may throw anything; report it as a decode failure.
      const reason = cause instanceof Error ? cause.message : String(cause)
      throw new ProtocolError(`Eiger V1 blob: ${reason}`, { code: 'DECODE_FAILED', cause })
    }
    if (written !== expectedBytes) {
      throw fail(
        `lz4 blob decompressed to ${written} bytes instead of ${expectedBytes}`,
        'DECODE_FAILED',
      )
    }
    return { shape, dtype, data: viewAs(out, dtype), complete: true }
  }

  if (encoding.elementBytes !== dtype.itemSize) {
    throw fail(
      `bitshuffle element of ${encoding.elementBytes} bytes for ${dtype.name} data`,
      'PROTOCOL_INVALID',
    )
  }
  const header = readBitshuffleLz4Header(blob, dtype.itemSize)
  if (header.totalBytes !== expectedBytes) {
    throw fail(
      `bslz4 header announces ${header.totalBytes} bytes, shape [${layout.shapeXY}] of ${dtype.name} needs ${expectedBytes}`,
      'PROTOCOL_INVALID',
    )
  }
  const decoded = decodeBitshuffleLz4(
    blob,
    dtype.itemSize,
    layout.decompressBlock === undefined
      ? { maxBytes: expectedBytes }
      : { maxBytes: expectedBytes, decompressBlock: layout.decompressBlock },
  )
  if (!decoded.complete && cut === false) {
    throw fail(
      `blob has the announced ${blob.length} bytes but holds only ${decoded.elementsDecoded} of ${decoded.totalElements} elements`,
      'DECODE_FAILED',
    )
  }
  return { shape, dtype, data: viewAs(decoded.bytes, dtype), complete: decoded.complete }
}
