import { createHash } from 'node:crypto'
import { encodeBitshuffleLz4 } from '../../codec/bitshuffle-lz4-encode.js'
import { compressLz4Block, lz4BlockBound } from '../../codec/lz4-block-compress.js'
import { ProtocolError } from '../../errors.js'
import { bytesOf, dtypeOf, type NumericArray } from '../dtype.js'
import { type EigerLegacyCompression, eigerLegacyEncodingString } from './eiger-legacy-blob.js'
import type { EigerLegacyHeaderDetail } from './eiger-legacy-messages.js'

/** A 2-D array to put on the wire: row-major data of `[rows, cols]`. */
export interface EigerLegacyArrayInput {
  readonly shape: readonly [number, number]
  readonly data: NumericArray
}

/** Input of `encodeEigerLegacyHeader`. */
export interface EigerLegacyHeaderInput {
  readonly series: number
  readonly headerDetail: EigerLegacyHeaderDetail
  /** Detector configuration (part 2); required unless `headerDetail` is `none`. */
  readonly config?: Readonly<Record<string, unknown>>
  /** Required with `headerDetail: all`, as are `pixelMask` and `countrateTable`. */
  readonly flatfield?: EigerLegacyArrayInput
  readonly pixelMask?: EigerLegacyArrayInput
  readonly countrateTable?: EigerLegacyArrayInput
  /** Sent as a last part when given: strings as they are, anything else as JSON. */
  readonly appendix?: unknown
}

/** Input of `encodeEigerLegacyImage`. */
export interface EigerLegacyImageInput {
  readonly series: number
  readonly frame: number
  /** Row-major `[rows, cols]`; the wire gets `[cols, rows]`. */
  readonly shape: readonly [number, number]
  readonly data: NumericArray
  /** Default `bslz4` (`bs<bits>-lz4<`). */
  readonly compression?: EigerLegacyCompression
  /** Exposure timing in nanoseconds; defaults 0. */
  readonly realTimeNs?: number
  readonly startTimeNs?: number
  readonly stopTimeNs?: number
  readonly appendix?: unknown
}

const utf8 = new TextEncoder()

function json(value: unknown): Uint8Array {
  return utf8.encode(JSON.stringify(value))
}

function appendixPart(appendix: unknown): Uint8Array {
  return typeof appendix === 'string' ? utf8.encode(appendix) : json(appendix)
}

function checkShape(what: string, input: EigerLegacyArrayInput): void {
  const [rows, cols] = input.shape
  if (input.data.length !== rows * cols) {
    throw new ProtocolError(
      `Eiger V1 ${what}: ${input.data.length} elements do not fill shape [${input.shape}]`,
    )
  }
}

function arrayParts(
  htype: string,
  what: string,
  input: EigerLegacyArrayInput | undefined,
): Uint8Array[] {
  if (input === undefined) {
    throw new ProtocolError(`Eiger V1 header with header_detail all needs a ${what}`)
  }
  checkShape(what, input)
  const [rows, cols] = input.shape
  const type = dtypeOf(input.data).name
  return [json({ htype, shape: [cols, rows], type }), bytesOf(input.data)]
}

/**
 * Builds a series header (`dheader-1.0`) as DECTRIS sends it: 1, 2 or 8 parts for
 * `header_detail` `none`, `basic` or `all`, plus the appendix when given. Array blobs are raw
 * views on the arrays' memory (host order, which is little endian here).
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when a part the detail level needs is missing or
 *   an array does not fill its shape.
 */
export function encodeEigerLegacyHeader(input: EigerLegacyHeaderInput): Uint8Array[] {
  const detail = input.headerDetail
  const parts = [json({ htype: 'dheader-1.0', series: input.series, header_detail: detail })]
  if (detail !== 'none') {
    if (input.config === undefined) {
      throw new ProtocolError(`Eiger V1 header with header_detail ${detail} needs a config`)
    }
    parts.push(json(input.config))
  }
  if (detail === 'all') {
    parts.push(
      ...arrayParts('dflatfield-1.0', 'flatfield', input.flatfield),
      ...arrayParts('dpixelmask-1.0', 'pixel mask', input.pixelMask),
      ...arrayParts('dcountrate_table-1.0', 'countrate table', input.countrateTable),
    )
  }
  if (input.appendix !== undefined) parts.push(appendixPart(input.appendix))
  return parts
}

function compress(data: NumericArray, compression: EigerLegacyCompression): Uint8Array {
  const raw = bytesOf(data)
  if (compression === 'none') return raw
  const itemSize = dtypeOf(data).itemSize
  if (compression === 'bslz4') return encodeBitshuffleLz4(raw, itemSize)
  const out = new Uint8Array(lz4BlockBound(raw.length))
  return out.subarray(0, compressLz4Block(raw, out, 0))
}

/**
 * Builds an image message: `dimage-1.0` (with the blob's MD5 as `hash`), `dimage_d-1.0`
 * (shape `[x, y]`, type, encoding, size), the blob, `dconfig-1.0`, and the appendix when
 * given. With `none` the blob is a view on the array's memory.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when the data does not fill the shape.
 */
export function encodeEigerLegacyImage(input: EigerLegacyImageInput): Uint8Array[] {
  checkShape('image', input)
  const compression = input.compression ?? 'bslz4'
  const dtype = dtypeOf(input.data)
  const blob = compress(input.data, compression)
  const [rows, cols] = input.shape
  const parts = [
    json({
      htype: 'dimage-1.0',
      series: input.series,
      frame: input.frame,
      hash: createHash('md5').update(blob).digest('hex'),
    }),
    json({
      htype: 'dimage_d-1.0',
      shape: [cols, rows],
      type: dtype.name,
      encoding: eigerLegacyEncodingString(compression, dtype),
      size: blob.length,
    }),
    blob,
    json({
      htype: 'dconfig-1.0',
      real_time: input.realTimeNs ?? 0,
      start_time: input.startTimeNs ?? 0,
      stop_time: input.stopTimeNs ?? 0,
    }),
  ]
  if (input.appendix !== undefined) parts.push(appendixPart(input.appendix))
  return parts
}

/** Builds the one-part series end (`dseries_end-1.0`). */
export function encodeEigerLegacyEnd(input: { readonly series: number }): Uint8Array[] {
  return [json({ htype: 'dseries_end-1.0', series: input.series })]
}
