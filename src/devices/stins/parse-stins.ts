import type { z } from 'zod'
import { parseJsonBytes } from '../../codec/json-bytes.js'
import type { Lz4BlockDecompressor } from '../../codec/lz4-block.js'
import { formatIssues } from '../../config/format-issues.js'
import { ProtocolError } from '../../errors.js'
import type { StreamData } from '../../protocol/event.js'
import { type Dtype, type NumericArray, parseDtype } from '../dtype.js'
import { decodeStinsBlob } from './decode-stins-blob.js'
import {
  StinsCompression,
  StinsEndJson,
  StinsHeaderJson,
  StinsHtype,
  StinsImageJson,
} from './stins-messages.js'

/** The `typ` ingesters give STINS streams. */
export const STINS_TYP = 'STINS'

/** A STINS `header` message: the start of a series. */
export interface StinsStart {
  readonly kind: 'start'
  readonly msgNumber: number
  /** Where the receiver writes the series; absent when the detector did not say. */
  readonly filename: string | undefined
  /** The whole JSON header, extra fields included. */
  readonly header: StinsHeaderJson
}

/** A STINS `image` message: one frame, decoded. */
export interface StinsData {
  readonly kind: 'data'
  readonly msgNumber: number
  readonly frame: number
  /** Array shape as sent, row-major (`[rows, cols]` for an image). */
  readonly shape: readonly number[]
  readonly dtype: Dtype
  readonly compression: StinsCompression
  /** The first (usually only) image part, flat, `shape` elements. */
  readonly data: NumericArray
  /** Every image part (one per threshold on multi-threshold detectors); `parts[0] === data`. */
  readonly parts: readonly NumericArray[]
  /** The whole JSON header, extra fields included. */
  readonly header: StinsImageJson
}

/** A STINS `series_end` message. */
export interface StinsEnd {
  readonly kind: 'end'
  readonly msgNumber: number
  readonly header: StinsEndJson
}

/** A parsed STINS message, discriminated on `kind`. */
export type StinsMessage = StinsStart | StinsData | StinsEnd

/** Options of `parseStinsFrames`. */
export interface ParseStinsOptions {
  /** LZ4 block decompressor for `bslz4` images; defaults to the TypeScript one. */
  readonly decompressBlock?: Lz4BlockDecompressor
}

function parseJsonPart(part: Uint8Array | undefined): unknown {
  if (part === undefined) throw new ProtocolError('STINS message has no parts')
  try {
    return parseJsonBytes(part)
  } catch (cause) {
    throw new ProtocolError('STINS message: first part is not UTF-8 JSON', { cause })
  }
}

function parseWith<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
  const result = schema.safeParse(json)
  if (!result.success) {
    const issues = formatIssues(result.error)
    throw new ProtocolError(`STINS ${what} header invalid: ${issues}`, { cause: result.error })
  }
  return result.data
}

function parseImage(
  frames: readonly Uint8Array[],
  json: unknown,
  opts: ParseStinsOptions,
): StinsData {
  const header = parseWith(StinsImageJson, json, 'image')
  const compression = StinsCompression.safeParse(header.compression)
  if (!compression.success) {
    throw new ProtocolError(
      `STINS image: unknown compression '${header.compression}' (expected 'none' or 'bslz4')`,
    )
  }
  const dtype = parseDtype(header.type)
  const blobs = frames.slice(1)
  if (blobs.length === 0) {
    throw new ProtocolError(`STINS image (frame ${header.frame}) has no data part`)
  }
  const layout = { shape: header.shape, dtype, compression: compression.data }
  const parts = blobs.map((blob, index) => {
    try {
      return decodeStinsBlob(
        blob,
        opts.decompressBlock === undefined
          ? layout
          : { ...layout, decompressBlock: opts.decompressBlock },
      )
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err
      throw new ProtocolError(`STINS image frame ${header.frame} part ${index}: ${err.message}`, {
        cause: err,
        code: err.code,
      })
    }
  })
  return {
    kind: 'data',
    msgNumber: header.msg_number,
    frame: header.frame,
    shape: header.shape,
    dtype,
    compression: compression.data,
    data: parts[0]!,
    parts,
    header,
  }
}

/**
 * Parses the zmq parts of one STINS message: a JSON header (`htype` `header`, `image` or
 * `series_end`) and, for images, one blob part per image part. Image data comes back as a
 * typed array of the message's dtype — for `none` a zero-copy view on the part when it is
 * aligned, for `bslz4` decoded. Extra parts after a `header` or `series_end` are ignored.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` for bad JSON, an unknown `htype`, dtype or
 *   compression, a missing field, a missing data part, or a blob whose size does not match
 *   shape × dtype; `DECODE_FAILED` for corrupt or truncated `bslz4` data.
 */
export function parseStinsFrames(
  frames: readonly Uint8Array[],
  opts: ParseStinsOptions = {},
): StinsMessage {
  const json = parseJsonPart(frames[0])
  const { htype } = parseWith(StinsHtype, json, 'message')
  switch (htype) {
    case 'header': {
      const header = parseWith(StinsHeaderJson, json, 'header')
      return { kind: 'start', msgNumber: header.msg_number, filename: header.filename, header }
    }
    case 'image':
      return parseImage(frames, json, opts)
    case 'series_end': {
      const header = parseWith(StinsEndJson, json, 'series_end')
      return { kind: 'end', msgNumber: header.msg_number, header }
    }
    default:
      throw new ProtocolError(
        `STINS message: unknown htype '${htype}' (expected header, image or series_end)`,
      )
  }
}

/**
 * Parses one STINS stream's frames of an event (see `parseStinsFrames`).
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when the stream's `typ` is not `STINS`, and
 *   everything `parseStinsFrames` throws.
 */
export function parseStins(stream: StreamData, opts: ParseStinsOptions = {}): StinsMessage {
  if (stream.typ !== STINS_TYP) {
    throw new ProtocolError(`expected a ${STINS_TYP} stream, got typ '${stream.typ}'`)
  }
  return parseStinsFrames(stream.frames, opts)
}
