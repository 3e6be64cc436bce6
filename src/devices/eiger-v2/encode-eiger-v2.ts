import { Encoder, Tag } from 'cbor-x'
import { encodeBitshuffleLz4 } from '../../codec/bitshuffle-lz4-encode.js'
import { ProtocolError } from '../../errors.js'
import { bytesOf, dtypeOf, type NumericArray, shapeSize } from '../dtype.js'
import {
  DECTRIS_COMPRESSION_TAG,
  type EigerV2Compression,
  MULTI_DIM_ARRAY_TAG,
  typedArrayTag,
} from './eiger-v2-array.js'
import { SELF_DESCRIBED_TAG } from './eiger-v2-cbor.js'
import { encodeHdf5Lz4 } from './hdf5-lz4.js'

/** An array to send: row-major `data` of `shape`. */
export interface EigerV2ArrayInput {
  readonly shape: readonly number[]
  readonly data: NumericArray
}

/** Extra fields for a message; the protocol's own fields win on a clash. */
export type EigerV2ExtraFields = Readonly<Record<string, unknown>>

/** Input of `encodeEigerV2Start`. */
export interface EigerV2StartInput {
  readonly seriesId: number
  readonly seriesUniqueId: string
  readonly channels: readonly string[]
  /** Channel → flatfield / pixel mask (`header_detail: all`). */
  readonly flatfield?: Readonly<Record<string, EigerV2ArrayInput>>
  readonly pixelMask?: Readonly<Record<string, EigerV2ArrayInput>>
  readonly countrateTable?: NumericArray
  /** Compression of those arrays; default `none`. */
  readonly compression?: EigerV2Compression
  /** Further start fields (`image_size_x`, `count_time`, `arm_date`, …). */
  readonly extra?: EigerV2ExtraFields
}

/** Input of `encodeEigerV2Image`. */
export interface EigerV2ImageInput {
  readonly seriesId: number
  readonly seriesUniqueId: string
  readonly imageId: number
  /** Channel → image, `shape` `[rows, cols]`; every channel is sent, in this order. */
  readonly images: Readonly<Record<string, EigerV2ArrayInput>>
  /** Default `bslz4`. */
  readonly compression?: EigerV2Compression
  /** `[numerator, denominator]` seconds. */
  readonly realTime?: readonly [number, number]
  readonly startTime?: readonly [number, number]
  readonly stopTime?: readonly [number, number]
  readonly extra?: EigerV2ExtraFields
}

// Plain CBOR maps, no cbor-x records, so any Stream V2 reader accepts the output.
const encoder = new Encoder({ useRecords: false, mapsAsObjects: true })

/** A byte string for cbor-x: a `Buffer` view (a plain Uint8Array could get a typed-array tag). */
function byteString(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** The RFC 8746 typed array of `data`, its bytes compressed as Stream V2 does. */
function typedArray(data: NumericArray, compression: EigerV2Compression): Tag {
  const dtype = dtypeOf(data)
  const raw = bytesOf(data)
  const content =
    compression === 'none'
      ? byteString(raw)
      : compression === 'bslz4'
        ? new Tag(
            ['bslz4', dtype.itemSize, byteString(encodeBitshuffleLz4(raw, dtype.itemSize))],
            DECTRIS_COMPRESSION_TAG,
          )
        : new Tag(['lz4', 0, byteString(encodeHdf5Lz4(raw))], DECTRIS_COMPRESSION_TAG)
  return new Tag(content, typedArrayTag(dtype))
}

function multiDimArray(
  what: string,
  input: EigerV2ArrayInput,
  compression: EigerV2Compression,
): Tag {
  if (input.data.length !== shapeSize(input.shape)) {
    throw new ProtocolError(
      `Eiger V2 ${what}: ${input.data.length} elements do not fill shape [${input.shape}]`,
    )
  }
  return new Tag([[...input.shape], typedArray(input.data, compression)], MULTI_DIM_ARRAY_TAG)
}

function arrayMap(
  what: string,
  arrays: Readonly<Record<string, EigerV2ArrayInput>>,
  compression: EigerV2Compression,
): Record<string, Tag> {
  return Object.fromEntries(
    Object.entries(arrays).map(([name, a]) => [
      name,
      multiDimArray(`${what} '${name}'`, a, compression),
    ]),
  )
}

function message(fields: Readonly<Record<string, unknown>>): Uint8Array[] {
  // `type` first: DECTRIS readers expect it as the first key.
  const { type, ...rest } = fields
  return [encoder.encode(new Tag({ type, ...rest }, SELF_DESCRIBED_TAG))]
}

/**
 * Builds a Stream V2 `start` message: one zmq part, one CBOR map behind tag 55799, arrays as
 * tag 40 (countrate table as a plain typed array).
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when an array does not fill its shape.
 */
export function encodeEigerV2Start(input: EigerV2StartInput): Uint8Array[] {
  const compression = input.compression ?? 'none'
  const arrays = {
    ...(input.flatfield === undefined
      ? {}
      : { flatfield: arrayMap('flatfield', input.flatfield, compression) }),
    ...(input.pixelMask === undefined
      ? {}
      : { pixel_mask: arrayMap('pixel mask', input.pixelMask, compression) }),
    ...(input.countrateTable === undefined
      ? {}
      : { countrate_correction_lookup_table: typedArray(input.countrateTable, compression) }),
  }
  return message({
    ...input.extra,
    type: 'start',
    series_id: input.seriesId,
    series_unique_id: input.seriesUniqueId,
    channels: [...input.channels],
    ...arrays,
  })
}

/**
 * Builds a Stream V2 `image` message with every channel of `images` as a tag 40 array
 * (compressed with tag 56500 unless `none`).
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when an image does not fill its shape.
 */
export function encodeEigerV2Image(input: EigerV2ImageInput): Uint8Array[] {
  const timing = {
    ...(input.realTime === undefined ? {} : { real_time: [...input.realTime] }),
    ...(input.startTime === undefined ? {} : { start_time: [...input.startTime] }),
    ...(input.stopTime === undefined ? {} : { stop_time: [...input.stopTime] }),
  }
  return message({
    ...input.extra,
    type: 'image',
    series_id: input.seriesId,
    series_unique_id: input.seriesUniqueId,
    image_id: input.imageId,
    ...timing,
    data: arrayMap(`image ${input.imageId} channel`, input.images, input.compression ?? 'bslz4'),
  })
}

/** Builds a Stream V2 `end` message. */
export function encodeEigerV2End(input: {
  readonly seriesId: number
  readonly seriesUniqueId: string
  readonly extra?: EigerV2ExtraFields
}): Uint8Array[] {
  return message({
    ...input.extra,
    type: 'end',
    series_id: input.seriesId,
    series_unique_id: input.seriesUniqueId,
  })
}
