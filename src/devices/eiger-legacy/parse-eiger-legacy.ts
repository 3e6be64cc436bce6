import type { Lz4BlockDecompressor } from '../../codec/lz4-block.js'
import { ProtocolError } from '../../errors.js'
import type { StreamData } from '../../protocol/event.js'
import type { DeviceMessage } from '../device-message.js'
import { parseDtype } from '../dtype.js'
import {
  decodeEigerLegacyBlob,
  type EigerLegacyArray,
  type EigerLegacyCompression,
  parseEigerLegacyEncoding,
} from './eiger-legacy-blob.js'
import { parseEigerLegacyJson, readEigerLegacyAppendix } from './eiger-legacy-json.js'
import {
  EigerLegacyArrayJson,
  EigerLegacyConfigJson,
  EigerLegacyEndJson,
  EigerLegacyHeaderJson,
  EigerLegacyHtype,
  EigerLegacyImageDataJson,
  EigerLegacyImageJson,
  EigerLegacyTimingJson,
} from './eiger-legacy-messages.js'

/** The `typ` ingesters give Eiger Stream V1 streams (as Dranspose does). */
export const EIGER_LEGACY_TYP = 'EIGER_LEGACY'

/** A series header (`dheader-1.0`). Arrays are present with `header_detail: all` only. */
export interface EigerLegacyStart extends DeviceMessage<'start'> {
  readonly series: number
  readonly headerDetail: EigerLegacyHeaderJson['header_detail']
  readonly header: EigerLegacyHeaderJson
  /** Detector configuration (part 2); absent with `header_detail: none`. */
  readonly config: EigerLegacyConfigJson | undefined
  readonly flatfield: EigerLegacyArray | undefined
  readonly pixelMask: EigerLegacyArray | undefined
  readonly countrateTable: EigerLegacyArray | undefined
  /** The header appendix: parsed JSON, else text, else bytes; absent when not sent. */
  readonly appendix: unknown
}

/** One image (`dimage-1.0`), decoded. */
export interface EigerLegacyData extends DeviceMessage<'data'> {
  readonly series: number
  readonly frame: number
  /** MD5 of the blob as the detector computed it (not checked). */
  readonly hash: string | undefined
  readonly compression: EigerLegacyCompression
  /** The image; `image.shape` is `[rows, cols]`, turned from the wire's `[x, y]`. */
  readonly image: EigerLegacyArray
  /** Exposure timing in nanoseconds (`dconfig-1.0`). */
  readonly realTimeNs: number
  readonly startTimeNs: number
  readonly stopTimeNs: number
  readonly header: EigerLegacyImageJson
  readonly dataHeader: EigerLegacyImageDataJson
  readonly timing: EigerLegacyTimingJson
  /** The image appendix (part 5) when sent: parsed JSON, else text, else bytes. */
  readonly appendix: unknown
}

/** The end of a series (`dseries_end-1.0`). */
export interface EigerLegacyEnd extends DeviceMessage<'end'> {
  readonly series: number
  readonly header: EigerLegacyEndJson
}

/** A parsed Eiger Stream V1 message, discriminated on `kind`. */
export type EigerLegacyMessage = EigerLegacyStart | EigerLegacyData | EigerLegacyEnd

/** Options of `parseEigerLegacy`. */
export interface ParseEigerLegacyOptions {
  /** LZ4 block decompressor; defaults to the TypeScript one. */
  readonly decompressBlock?: Lz4BlockDecompressor
}

/** Parts of a header without its optional appendix, by `header_detail`. */
const HEADER_PARTS = { none: 1, basic: 2, all: 8 } as const

function partCount(what: string, frames: readonly Uint8Array[], allowed: readonly number[]): void {
  if (!allowed.includes(frames.length)) {
    throw new ProtocolError(
      `Eiger V1 ${what} has ${frames.length} parts (expected ${allowed.join(' or ')})`,
    )
  }
}

function headerArray(
  frames: readonly Uint8Array[],
  index: number,
  htype: EigerLegacyArrayJson['htype'],
  opts: ParseEigerLegacyOptions,
): EigerLegacyArray {
  const json = parseEigerLegacyJson(frames, index, EigerLegacyArrayJson, htype)
  if (json.htype !== htype) {
    throw new ProtocolError(`Eiger V1 header part ${index} is '${json.htype}', expected '${htype}'`)
  }
  return decodeEigerLegacyBlob(frames[index + 1] ?? new Uint8Array(0), {
    shapeXY: json.shape,
    dtype: parseDtype(json.type),
    encoding: { compression: 'none', elementBytes: 0, littleEndian: true },
    decompressBlock: opts.decompressBlock,
  })
}

function parseHeader(
  frames: readonly Uint8Array[],
  opts: ParseEigerLegacyOptions,
): EigerLegacyStart {
  const header = parseEigerLegacyJson(frames, 0, EigerLegacyHeaderJson, 'dheader-1.0')
  const detail = header.header_detail
  const parts = HEADER_PARTS[detail]
  partCount(`header (header_detail ${detail})`, frames, [parts, parts + 1])
  const all = detail === 'all'
  const appendixPart = frames.length > parts ? frames[parts] : undefined
  return {
    kind: 'start',
    series: header.series,
    headerDetail: detail,
    header,
    config:
      detail === 'none'
        ? undefined
        : parseEigerLegacyJson(frames, 1, EigerLegacyConfigJson, 'config'),
    flatfield: all ? headerArray(frames, 2, 'dflatfield-1.0', opts) : undefined,
    pixelMask: all ? headerArray(frames, 4, 'dpixelmask-1.0', opts) : undefined,
    countrateTable: all ? headerArray(frames, 6, 'dcountrate_table-1.0', opts) : undefined,
    appendix: appendixPart === undefined ? undefined : readEigerLegacyAppendix(appendixPart),
  }
}

function parseImage(frames: readonly Uint8Array[], opts: ParseEigerLegacyOptions): EigerLegacyData {
  partCount('image', frames, [4, 5])
  const header = parseEigerLegacyJson(frames, 0, EigerLegacyImageJson, 'dimage-1.0')
  const dataHeader = parseEigerLegacyJson(frames, 1, EigerLegacyImageDataJson, 'dimage_d-1.0')
  const timing = parseEigerLegacyJson(frames, 3, EigerLegacyTimingJson, 'dconfig-1.0')
  const encoding = parseEigerLegacyEncoding(dataHeader.encoding)
  let image: EigerLegacyArray
  try {
    image = decodeEigerLegacyBlob(frames[2]!, {
      shapeXY: dataHeader.shape,
      dtype: parseDtype(dataHeader.type),
      encoding,
      declaredBytes: dataHeader.size,
      decompressBlock: opts.decompressBlock,
    })
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err
    throw new ProtocolError(
      `Eiger V1 image series ${header.series} frame ${header.frame}: ${err.message}`,
      {
        cause: err,
        code: err.code,
      },
    )
  }
  const appendixPart = frames[4]
  return {
    kind: 'data',
    series: header.series,
    frame: header.frame,
    hash: header.hash,
    compression: encoding.compression,
    image,
    realTimeNs: timing.real_time,
    startTimeNs: timing.start_time,
    stopTimeNs: timing.stop_time,
    header,
    dataHeader,
    timing,
    appendix: appendixPart === undefined ? undefined : readEigerLegacyAppendix(appendixPart),
  }
}

/**
 * Parses the zmq parts of one Eiger Stream V1 message:
 * - `dheader-1.0`: 1 (`none`), 2 (`basic`) or 8 (`all`) parts, plus an optional appendix;
 *   `all` adds the flatfield, pixel mask and countrate table, each a JSON header and a raw
 *   blob;
 * - `dimage-1.0`: 4 parts (JSON, `dimage_d-1.0` JSON, blob, `dconfig-1.0` JSON) plus an
 *   optional appendix; the blob is decoded (`bs*-lz4<`, `lz4<`, raw) into `[rows, cols]`;
 * - `dseries_end-1.0`: 1 part.
 *
 * Truncated blobs are surfaced as `complete: false` with the decoded prefix (see
 * `decodeEigerLegacyBlob`), never thrown.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` for a wrong part count, bad JSON, an unknown
 *   `htype`, dtype or encoding, or sizes that do not match; `DECODE_FAILED` for corrupt
 *   compressed data.
 */
export function parseEigerLegacyFrames(
  frames: readonly Uint8Array[],
  opts: ParseEigerLegacyOptions = {},
): EigerLegacyMessage {
  const { htype } = parseEigerLegacyJson(frames, 0, EigerLegacyHtype, 'message')
  switch (htype) {
    case 'dheader-1.0':
      return parseHeader(frames, opts)
    case 'dimage-1.0':
      return parseImage(frames, opts)
    case 'dseries_end-1.0': {
      partCount('series end', frames, [1])
      const header = parseEigerLegacyJson(frames, 0, EigerLegacyEndJson, 'dseries_end-1.0')
      return { kind: 'end', series: header.series, header }
    }
    default:
      throw new ProtocolError(
        `Eiger V1: unknown htype '${htype}' (expected dheader-1.0, dimage-1.0 or dseries_end-1.0)`,
      )
  }
}

/**
 * Parses one Eiger Stream V1 stream's frames of an event (see `parseEigerLegacyFrames`).
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when `typ` is not `EIGER_LEGACY`, and everything
 *   `parseEigerLegacyFrames` throws.
 */
export function parseEigerLegacy(
  stream: StreamData,
  opts: ParseEigerLegacyOptions = {},
): EigerLegacyMessage {
  if (stream.typ !== EIGER_LEGACY_TYP) {
    throw new ProtocolError(`expected an ${EIGER_LEGACY_TYP} stream, got typ '${stream.typ}'`)
  }
  return parseEigerLegacyFrames(stream.frames, opts)
}
