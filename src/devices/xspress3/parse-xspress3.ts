import type { z } from 'zod'
import { parseJsonBytes } from '../../codec/json-bytes.js'
import { readPickle } from '../../codec/pickle-reader.js'
import { isNumpyArray, type NumpyArray } from '../../codec/pickle-value.js'
import { formatIssues } from '../../config/format-issues.js'
import { ProtocolError } from '../../errors.js'
import type { StreamData } from '../../protocol/event.js'
import type { DeviceMessage } from '../device-message.js'
import { type Dtype, type NumericArray, parseDtype, shapeSize, viewAs } from '../dtype.js'
import {
  XSPRESS3_META_NAMES,
  Xspress3EndJson,
  Xspress3HeaderJson,
  Xspress3Htype,
  Xspress3ImageJson,
} from './xspress3-messages.js'

/** The `typ` ingesters give Xspress3 streams (as Dranspose does). */
export const XSPRESS3_TYP = 'xspress'

/** The `header` message: a series starts. */
export interface Xspress3Start extends DeviceMessage<'start'> {
  /** Where the device writes the series. */
  readonly filename: string
  /** The whole JSON header, extra fields included. */
  readonly header: Xspress3HeaderJson
}

/** One frame: spectra of every channel and their metadata. */
export interface Xspress3Data extends DeviceMessage<'data'> {
  readonly frame: number
  /** Exposure time in seconds (1 when the device did not say, as in Dranspose). */
  readonly exptime: number
  /** `[channels, bins]`, e.g. `[4, 4096]`. */
  readonly shape: readonly number[]
  readonly dtype: Dtype
  /** Row-major spectra, `shape` elements; a view on the part when aligned. */
  readonly spectra: NumericArray
  /** Metadata arrays by name (see `XSPRESS3_META_NAMES`), in the device's order. */
  readonly meta: Readonly<Record<string, NumpyArray>>
  /** The whole JSON header. */
  readonly header: Xspress3ImageJson
}

/** The `series_end` message. */
export interface Xspress3End extends DeviceMessage<'end'> {
  readonly header: Xspress3EndJson
}

/** A parsed Xspress3 message, discriminated on `kind`. */
export type Xspress3Message = Xspress3Start | Xspress3Data | Xspress3End

function parseJsonPart(part: Uint8Array | undefined): unknown {
  if (part === undefined) throw new ProtocolError('Xspress3 message has no parts')
  try {
    return parseJsonBytes(part)
  } catch (cause) {
    throw new ProtocolError('Xspress3 message: first part is not UTF-8 JSON', { cause })
  }
}

function parseWith<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
  const result = schema.safeParse(json)
  if (!result.success) {
    const issues = formatIssues(result.error)
    throw new ProtocolError(`Xspress3 ${what} header invalid: ${issues}`, { cause: result.error })
  }
  return result.data
}

function parseMeta(part: Uint8Array, frame: number): Record<string, NumpyArray> {
  let list: unknown
  try {
    list = readPickle(part)
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err
    throw new ProtocolError(`Xspress3 frame ${frame} metadata: ${err.message}`, { cause: err })
  }
  if (!Array.isArray(list))
    throw new ProtocolError(`Xspress3 frame ${frame}: metadata is not a list`)
  const meta: Record<string, NumpyArray> = {}
  list.forEach((item, index) => {
    if (!isNumpyArray(item)) {
      throw new ProtocolError(
        `Xspress3 frame ${frame}: metadata item ${index} is not a numpy array`,
      )
    }
    meta[XSPRESS3_META_NAMES[index] ?? `meta_${index}`] = item
  })
  return meta
}

function parseImage(frames: readonly Uint8Array[], json: unknown): Xspress3Data {
  const header = parseWith(Xspress3ImageJson, json, 'image')
  const { frame, shape } = header
  if (frames.length !== 3) {
    throw new ProtocolError(
      `Xspress3 image (frame ${frame}) has ${frames.length} parts (expected JSON, spectra, metadata)`,
    )
  }
  const compression = header.compression ?? 'none'
  if (compression !== 'none') {
    throw new ProtocolError(`Xspress3 image (frame ${frame}): unknown compression '${compression}'`)
  }
  const dtype = parseDtype(header.type)
  const raw = frames[1]!
  const expected = shapeSize(shape) * dtype.itemSize
  if (raw.length !== expected) {
    throw new ProtocolError(
      `Xspress3 image (frame ${frame}): ${raw.length} bytes of spectra, expected ${expected} for [${shape}] ${dtype.name}`,
    )
  }
  return {
    kind: 'data',
    frame,
    exptime: header.exptime ?? 1,
    shape,
    dtype,
    spectra: viewAs(raw, dtype),
    meta: parseMeta(frames[2]!, frame),
    header,
  }
}

/**
 * Parses the parts of one Xspress3 message: the JSON header and, for images, the raw
 * spectra and the pickled metadata list. Both wire forms give the same three parts: the
 * 2021 device sends them as three zmq messages (the ingester joins them into one event's
 * frames), the 2024 device as one three-part message.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` for bad JSON, an unknown `htype`, dtype or
 *   compression, a missing field, an image without exactly three parts, spectra whose size
 *   does not match shape × dtype, or metadata that is not a data-only pickled list of arrays.
 */
export function parseXspress3Frames(frames: readonly Uint8Array[]): Xspress3Message {
  const json = parseJsonPart(frames[0])
  const { htype } = parseWith(Xspress3Htype, json, 'message')
  switch (htype) {
    case 'header': {
      const header = parseWith(Xspress3HeaderJson, json, 'header')
      return { kind: 'start', filename: header.filename, header }
    }
    case 'image':
      return parseImage(frames, json)
    case 'series_end':
      return { kind: 'end', header: parseWith(Xspress3EndJson, json, 'series_end') }
    default:
      throw new ProtocolError(
        `Xspress3 message: unknown htype '${htype}' (expected header, image or series_end)`,
      )
  }
}

/**
 * Parses one Xspress3 stream's frames of an event (see `parseXspress3Frames`).
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when the stream's `typ` is not `xspress`, and
 *   everything `parseXspress3Frames` throws.
 */
export function parseXspress3(stream: StreamData): Xspress3Message {
  if (stream.typ !== XSPRESS3_TYP) {
    throw new ProtocolError(`expected a ${XSPRESS3_TYP} stream, got typ '${stream.typ}'`)
  }
  return parseXspress3Frames(stream.frames)
}
