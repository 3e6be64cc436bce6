import { encodeBitshuffleLz4 } from '../../codec/bitshuffle-lz4-encode.js'
import { ProtocolError } from '../../errors.js'
import { bytesOf, type DtypeName, dtypeOf, type NumericArray, shapeSize } from '../dtype.js'
import type { StinsCompression } from './stins-messages.js'

/** Extra JSON fields to put in a STINS header; the protocol's own fields win on a clash. */
export type StinsExtraFields = Readonly<Record<string, unknown>>

/** Input of `encodeStinsHeader`. */
export interface StinsHeaderInput {
  readonly msgNumber: number
  readonly filename?: string
  readonly extra?: StinsExtraFields
}

/** Input of `encodeStinsImage`. */
export interface StinsImageInput {
  readonly msgNumber: number
  readonly frame: number
  /** Row-major shape, `[rows, cols]` for an image. */
  readonly shape: readonly number[]
  /** The image, or one array per image part (all of the same type and `shape`). */
  readonly data: NumericArray | readonly NumericArray[]
  /** Default `none`. */
  readonly compression?: StinsCompression
  readonly extra?: StinsExtraFields
}

/** Input of `encodeStinsEnd`. */
export interface StinsEndInput {
  readonly msgNumber: number
  readonly extra?: StinsExtraFields
}

const utf8 = new TextEncoder()

function jsonPart(fields: Readonly<Record<string, unknown>>): Uint8Array {
  return utf8.encode(JSON.stringify(fields))
}

/** Builds the one-part `header` message that starts a STINS series. */
export function encodeStinsHeader(input: StinsHeaderInput): Uint8Array[] {
  const filename = input.filename === undefined ? {} : { filename: input.filename }
  return [jsonPart({ ...input.extra, htype: 'header', msg_number: input.msgNumber, ...filename })]
}

/**
 * Builds an `image` message: the JSON header and one blob part per image part. The dtype is
 * the arrays' own (host byte order, named as numpy does, e.g. `uint16`). With `none` the blob
 * parts are views on the arrays' memory, not copies.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when there are no parts, parts differ in type, or
 *   a part's length does not match `shape`.
 */
export function encodeStinsImage(input: StinsImageInput): Uint8Array[] {
  const parts: readonly NumericArray[] = Array.isArray(input.data) ? input.data : [input.data]
  const first = parts[0]
  if (first === undefined) throw new ProtocolError('STINS image needs at least one part')
  const dtype = dtypeOf(first)
  const elements = shapeSize(input.shape)
  for (const part of parts) {
    if (dtypeOf(part).name !== dtype.name || part.length !== elements) {
      throw new ProtocolError(
        `STINS image part of ${part.length} ${dtypeOf(part).name} does not match shape [${input.shape}] of ${dtype.name}`,
      )
    }
  }
  const compression = input.compression ?? 'none'
  const header = jsonPart({
    ...input.extra,
    htype: 'image',
    msg_number: input.msgNumber,
    frame: input.frame,
    shape: input.shape,
    type: dtype.name,
    compression,
  })
  const blobs = parts.map((part) =>
    compression === 'none' ? bytesOf(part) : encodeBitshuffleLz4(bytesOf(part), dtype.itemSize),
  )
  return [header, ...blobs]
}

/** Input of `encodeStinsEncodedImage`. */
export interface StinsEncodedImageInput {
  readonly msgNumber: number
  readonly frame: number
  readonly shape: readonly number[]
  /** The pixels' type, little endian (numpy name). */
  readonly dtype: DtypeName
  readonly compression: StinsCompression
  /** The image, already in that encoding (a bitshuffle-LZ4 blob with its 12-byte header). */
  readonly blob: Uint8Array
  readonly extra?: StinsExtraFields
}

/**
 * Builds an `image` message around a blob that is already encoded (an EIGER's bitshuffle-LZ4
 * chunk as its HDF5 file stores it): the blob is sent as it is, not decoded or copied.
 */
export function encodeStinsEncodedImage(input: StinsEncodedImageInput): Uint8Array[] {
  const header = jsonPart({
    ...input.extra,
    htype: 'image',
    msg_number: input.msgNumber,
    frame: input.frame,
    shape: input.shape,
    type: input.dtype,
    compression: input.compression,
  })
  return [header, input.blob]
}

/** Builds the one-part `series_end` message that ends a STINS series. */
export function encodeStinsEnd(input: StinsEndInput): Uint8Array[] {
  return [jsonPart({ ...input.extra, htype: 'series_end', msg_number: input.msgNumber })]
}
