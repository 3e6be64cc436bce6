import type { z } from 'zod'
import { formatIssues } from '../../config/format-issues.js'
import { ProtocolError } from '../../errors.js'
import type { StreamData } from '../../protocol/event.js'
import type { DeviceMessage } from '../device-message.js'
import type { NumericArray } from '../dtype.js'
import {
  decodeMultiDimArray,
  decodeTypedArray,
  type EigerV2Array,
  type EigerV2ArrayOptions,
} from './eiger-v2-array.js'
import { decodeEigerV2Cbor } from './eiger-v2-cbor.js'
import {
  EigerV2EndMap,
  EigerV2ImageMap,
  EigerV2StartMap,
  EigerV2Type,
} from './eiger-v2-messages.js'

/** The `typ` ingesters give DECTRIS Stream V2 streams. */
export const EIGER_V2_TYP = 'EIGER_V2'

/** A `start` message: the series configuration, its arrays decoded. */
export interface EigerV2Start extends DeviceMessage<'start'> {
  readonly seriesId: number
  readonly seriesUniqueId: string
  /** Channel (threshold) names; empty when the detector did not list them. */
  readonly channels: readonly string[]
  /** Channel → flatfield (`header_detail: all` only; otherwise empty). */
  readonly flatfield: Readonly<Record<string, EigerV2Array>>
  /** Channel → 32-bit pixel mask (`header_detail: all` only; otherwise empty). */
  readonly pixelMask: Readonly<Record<string, EigerV2Array>>
  readonly countrateTable: NumericArray | undefined
  /** The whole map; array fields still hold their undecoded `CborTagged` values. */
  readonly header: EigerV2StartMap
}

/** An `image` message: every channel of one exposure, decoded. */
export interface EigerV2Image extends DeviceMessage<'data'> {
  readonly seriesId: number
  readonly seriesUniqueId: string
  readonly imageId: number
  /** Channel names in wire order. */
  readonly channels: readonly string[]
  /** Channel → image, shape `[image_size_y, image_size_x]`. */
  readonly images: Readonly<Record<string, EigerV2Array>>
  /** Exposure time, start and stop (relative to `series_date`) in seconds, when sent. */
  readonly realTimeS: number | undefined
  readonly startTimeS: number | undefined
  readonly stopTimeS: number | undefined
  readonly userData: unknown
  readonly header: EigerV2ImageMap
}

/** An `end` message. */
export interface EigerV2End extends DeviceMessage<'end'> {
  readonly seriesId: number
  readonly seriesUniqueId: string
  readonly header: EigerV2EndMap
}

/** A parsed Stream V2 message, discriminated on `kind`. */
export type EigerV2Message = EigerV2Start | EigerV2Image | EigerV2End

/** Options of `parseEigerV2`. */
export type ParseEigerV2Options = EigerV2ArrayOptions

function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value)
  if (!result.success) {
    const issues = formatIssues(result.error, { max: 3 })
    throw new ProtocolError(`Eiger V2 ${what} message invalid: ${issues}`, { cause: result.error })
  }
  return result.data
}

function seconds(rational: readonly [number, number] | undefined): number | undefined {
  return rational === undefined ? undefined : rational[0] / rational[1]
}

function arrays(
  what: string,
  values: Readonly<Record<string, unknown>> | undefined,
  opts: ParseEigerV2Options,
): Record<string, EigerV2Array> {
  // fromEntries defines own properties, so a channel named `__proto__` stays a plain key.
  return Object.fromEntries(
    Object.entries(values ?? {}).map(([name, value]) => [
      name,
      decodeMultiDimArray(`${what} '${name}'`, value, opts),
    ]),
  )
}

function parseStart(value: unknown, opts: ParseEigerV2Options): EigerV2Start {
  const header = parseWith(EigerV2StartMap, value, 'start')
  const table = header.countrate_correction_lookup_table
  return {
    kind: 'start',
    seriesId: header.series_id,
    seriesUniqueId: header.series_unique_id,
    channels: header.channels ?? [],
    flatfield: arrays('flatfield', header.flatfield, opts),
    pixelMask: arrays('pixel mask', header.pixel_mask, opts),
    countrateTable:
      table === undefined ? undefined : decodeTypedArray('countrate table', table, opts).data,
    header,
  }
}

function parseImage(value: unknown, opts: ParseEigerV2Options): EigerV2Image {
  const header = parseWith(EigerV2ImageMap, value, 'image')
  return {
    kind: 'data',
    seriesId: header.series_id,
    seriesUniqueId: header.series_unique_id,
    imageId: header.image_id,
    channels: Object.keys(header.data),
    images: arrays(`image ${header.image_id} channel`, header.data, opts),
    realTimeS: seconds(header.real_time),
    startTimeS: seconds(header.start_time),
    stopTimeS: seconds(header.stop_time),
    userData: header.user_data,
    header,
  }
}

/**
 * Parses one DECTRIS Stream V2 message (a single zmq part holding one CBOR map, usually
 * behind the self-describe tag 55799): `start`, `image` (every channel decoded from its
 * tag 40 array, decompressing `bslz4` and `lz4`) or `end`.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` for a wrong part count, bytes that are not one
 *   CBOR map, an unknown `type`, a missing field, an unsupported typed array or an unknown
 *   compression; `DECODE_FAILED` for corrupt or truncated compressed data.
 */
export function parseEigerV2Frames(
  frames: readonly Uint8Array[],
  opts: ParseEigerV2Options = {},
): EigerV2Message {
  if (frames.length !== 1) {
    throw new ProtocolError(`Eiger V2 message has ${frames.length} parts (expected 1)`)
  }
  const value = decodeEigerV2Cbor(frames[0]!)
  const { type } = parseWith(EigerV2Type, value, 'any')
  switch (type) {
    case 'start':
      return parseStart(value, opts)
    case 'image':
      return parseImage(value, opts)
    case 'end': {
      const header = parseWith(EigerV2EndMap, value, 'end')
      return {
        kind: 'end',
        seriesId: header.series_id,
        seriesUniqueId: header.series_unique_id,
        header,
      }
    }
    default:
      throw new ProtocolError(
        `Eiger V2: unknown message type '${type}' (expected start, image or end)`,
      )
  }
}

/**
 * Parses one Stream V2 stream's frames of an event (see `parseEigerV2Frames`).
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when `typ` is not `EIGER_V2`, and everything
 *   `parseEigerV2Frames` throws.
 */
export function parseEigerV2(stream: StreamData, opts: ParseEigerV2Options = {}): EigerV2Message {
  if (stream.typ !== EIGER_V2_TYP) {
    throw new ProtocolError(`expected an ${EIGER_V2_TYP} stream, got typ '${stream.typ}'`)
  }
  return parseEigerV2Frames(stream.frames, opts)
}
