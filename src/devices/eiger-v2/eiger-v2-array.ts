import { decodeBitshuffleLz4 } from '../../codec/bitshuffle-lz4.js'
import type { Lz4BlockDecompressor } from '../../codec/lz4-block.js'
import { ProtocolError } from '../../errors.js'
import { type Dtype, type DtypeName, type NumericArray, shapeSize, viewAs } from '../dtype.js'
import { CborTagged } from './eiger-v2-cbor.js'
import { decodeHdf5Lz4 } from './hdf5-lz4.js'

/** RFC 8746 tag of a row-major multi-dimensional array. */
export const MULTI_DIM_ARRAY_TAG = 40
/** DECTRIS tag of a compressed byte string: `[algorithm, element size, bytes]`. */
export const DECTRIS_COMPRESSION_TAG = 56_500

/** Compression of a Stream V2 array: none, `bslz4` (bitshuffle-LZ4) or `lz4` (HDF5 framing). */
export type EigerV2Compression = 'none' | 'bslz4' | 'lz4'

/** A decoded Stream V2 array. */
export interface EigerV2Array {
  /** Row-major shape (`[image_size_y, image_size_x]` for images); `[n]` for typed arrays. */
  readonly shape: readonly number[]
  readonly dtype: Dtype
  /** Flat, row-major, in host byte order. */
  readonly data: NumericArray
  /** How it came over the wire. */
  readonly compression: EigerV2Compression
}

/** Options for decoding arrays. */
export interface EigerV2ArrayOptions {
  readonly decompressBlock?: Lz4BlockDecompressor
}

const INT_NAMES: readonly (DtypeName | undefined)[] = [
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'int8',
  'int16',
  'int32',
  'int64',
]

/**
 * The dtype of an RFC 8746 typed-array tag (64–87): bit 4 float, bit 3 signed, bit 2 little
 * endian, bits 0–1 log2 of the size. `undefined` for tags that are not typed arrays or have
 * no typed array here (float16, float128).
 */
export function typedArrayDtype(tag: number): Dtype | undefined {
  if (tag < 64 || tag > 87) return undefined
  const float = (tag & 16) !== 0
  const signed = (tag & 8) !== 0
  const size = 1 << (tag & 3)
  const littleEndian = (tag & 4) !== 0 || size === 1
  if (float) {
    if (signed || (size !== 2 && size !== 4)) return undefined
    return { name: size === 2 ? 'float32' : 'float64', itemSize: size * 2, littleEndian }
  }
  // 68 is uint8 "clamped", 76 would be a little-endian int8: read both as their 8-bit type.
  const name = INT_NAMES[(signed ? 4 : 0) + (tag & 3)]
  if (name === undefined) return undefined
  return { name, itemSize: size, littleEndian }
}

/** The typed-array tag for a dtype (little endian unless `dtype` says otherwise). */
export function typedArrayTag(dtype: Dtype): number {
  const float = dtype.name.startsWith('float')
  const signed = dtype.name.startsWith('int')
  const ll = Math.log2(float ? dtype.itemSize / 2 : dtype.itemSize)
  const little = dtype.itemSize > 1 && dtype.littleEndian ? 4 : 0
  return 64 + (float ? 16 : 0) + (signed ? 8 : 0) + little + ll
}

function fail(what: string, reason: string): ProtocolError {
  return new ProtocolError(`Eiger V2 ${what}: ${reason}`)
}

function decompress(
  what: string,
  value: unknown,
  opts: EigerV2ArrayOptions,
): { bytes: Uint8Array; compression: EigerV2Compression } {
  if (value instanceof Uint8Array) return { bytes: value, compression: 'none' }
  if (!(value instanceof CborTagged) || value.tag !== DECTRIS_COMPRESSION_TAG) {
    throw fail(what, 'typed array holds neither a byte string nor a tag 56500 compressed string')
  }
  const content = value.value
  if (!Array.isArray(content) || content.length !== 3) {
    throw fail(what, 'tag 56500 content is not [algorithm, element size, bytes]')
  }
  const [algorithm, elementSize, bytes] = content
  if (
    typeof algorithm !== 'string' ||
    typeof elementSize !== 'number' ||
    !(bytes instanceof Uint8Array)
  ) {
    throw fail(what, 'tag 56500 content is not [text, integer, byte string]')
  }
  const where = (err: ProtocolError): ProtocolError =>
    new ProtocolError(`Eiger V2 ${what}: ${err.message}`, { cause: err, code: err.code })
  try {
    if (algorithm === 'bslz4') {
      if (!Number.isInteger(elementSize) || elementSize < 1) {
        throw fail(what, `bslz4 element size ${elementSize}`)
      }
      const decoded = decodeBitshuffleLz4(
        bytes,
        elementSize,
        opts.decompressBlock === undefined ? {} : { decompressBlock: opts.decompressBlock },
      )
      if (!decoded.complete) {
        throw new ProtocolError(
          `bslz4 data truncated: ${decoded.elementsDecoded} of ${decoded.totalElements} elements`,
          { code: 'DECODE_FAILED' },
        )
      }
      return { bytes: decoded.bytes, compression: 'bslz4' }
    }
    if (algorithm === 'lz4') {
      const out = decodeHdf5Lz4(
        bytes,
        opts.decompressBlock === undefined ? {} : { decompressBlock: opts.decompressBlock },
      )
      return { bytes: out, compression: 'lz4' }
    }
  } catch (err) {
    throw err instanceof ProtocolError ? where(err) : err
  }
  throw fail(what, `unknown compression '${algorithm}' (expected bslz4 or lz4)`)
}

/**
 * Resolves an RFC 8746 typed array (tag 64–87 around a byte string or a DECTRIS tag 56500
 * compressed string) into a typed array, decompressed and in host byte order.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` naming `what` for an unsupported tag, a content
 *   that is neither bytes nor tag 56500, an unknown compression, or a size that is not whole
 *   elements; `DECODE_FAILED` for corrupt compressed data.
 */
export function decodeTypedArray(
  what: string,
  value: unknown,
  opts: EigerV2ArrayOptions = {},
): { dtype: Dtype; data: NumericArray; compression: EigerV2Compression } {
  if (!(value instanceof CborTagged)) throw fail(what, 'expected a typed array (tag 64–87)')
  const dtype = typedArrayDtype(value.tag)
  if (dtype === undefined) throw fail(what, `unsupported typed array tag ${value.tag}`)
  const { bytes, compression } = decompress(what, value.value, opts)
  try {
    return { dtype, data: viewAs(bytes, dtype), compression }
  } catch (err) {
    throw err instanceof ProtocolError ? fail(what, err.message) : err
  }
}

/**
 * Resolves a tag 40 multi-dimensional array `[shape, typed array]` (row-major).
 *
 * @throws ProtocolError as `decodeTypedArray`, and `PROTOCOL_INVALID` when it is not tag 40
 *   or the element count does not match the shape.
 */
export function decodeMultiDimArray(
  what: string,
  value: unknown,
  opts: EigerV2ArrayOptions = {},
): EigerV2Array {
  if (!(value instanceof CborTagged) || value.tag !== MULTI_DIM_ARRAY_TAG) {
    throw fail(what, 'expected a multi-dimensional array (tag 40)')
  }
  const content = value.value
  if (!Array.isArray(content) || content.length !== 2) {
    throw fail(what, 'tag 40 content is not [shape, array]')
  }
  const [shape, array] = content
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw fail(what, 'shape is not an array of non-negative integers')
  }
  const dims: number[] = shape.map(Number)
  const decoded = decodeTypedArray(what, array, opts)
  if (decoded.data.length !== shapeSize(dims)) {
    throw fail(what, `${decoded.data.length} elements do not fill shape [${dims}]`)
  }
  return { shape: dims, ...decoded }
}
