import type { NumpyArray } from '../../codec/pickle-value.js'
import { writePickle } from '../../codec/pickle-writer.js'
import { ProtocolError } from '../../errors.js'
import { bytesOf, dtypeOf, type NumericArray, shapeSize } from '../dtype.js'

/** Extra JSON fields; the protocol's own fields win on a clash. */
export type Xspress3ExtraFields = Readonly<Record<string, unknown>>

/** Input of `encodeXspress3Header`. */
export interface Xspress3HeaderInput {
  readonly filename: string
  readonly overwritable?: boolean
  readonly extra?: Xspress3ExtraFields
}

/** Input of `encodeXspress3Frame`. */
export interface Xspress3FrameInput {
  readonly frame: number
  /** Row-major spectra, usually `Uint32Array` of `[channels, 4096]`. */
  readonly spectra: NumericArray
  readonly shape: readonly number[]
  /** Seconds; default 0.1. */
  readonly exptime?: number
  /** Metadata arrays in the device's order (see `XSPRESS3_META_NAMES`). */
  readonly meta: readonly NumpyArray[]
  /** Pickle protocol of the metadata: 3 as the 2021 device (default), 4 as the 2024 one. */
  readonly metaProtocol?: 3 | 4
  readonly extra?: Xspress3ExtraFields
}

const utf8 = new TextEncoder()
const jsonPart = (fields: Readonly<Record<string, unknown>>) => utf8.encode(JSON.stringify(fields))

/** Builds the one-part `header` message. */
export function encodeXspress3Header(input: Xspress3HeaderInput): Uint8Array[] {
  return [
    jsonPart({
      ...input.extra,
      htype: 'header',
      filename: input.filename,
      overwritable: input.overwritable ?? false,
    }),
  ]
}

/**
 * Builds the three parts of one frame: JSON header, raw spectra (a view on `spectra`, not a
 * copy) and the pickled metadata list. The 2024 device sends them as one three-part zmq
 * message, the 2021 device as three one-part messages; the simulator chooses.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when `spectra` does not hold `shape` elements.
 */
export function encodeXspress3Frame(input: Xspress3FrameInput): Uint8Array[] {
  if (shapeSize(input.shape) !== input.spectra.length) {
    throw new ProtocolError(
      `Xspress3 frame: ${input.spectra.length} spectra elements do not match shape [${input.shape}]`,
    )
  }
  const header = jsonPart({
    ...input.extra,
    htype: 'image',
    exptime: input.exptime ?? 0.1,
    frame: input.frame,
    shape: input.shape,
    type: dtypeOf(input.spectra).name,
    compression: 'none',
  })
  const meta = writePickle([...input.meta], { protocol: input.metaProtocol ?? 3 })
  return [header, bytesOf(input.spectra), meta]
}

/** Builds the one-part `series_end` message. */
export function encodeXspress3End(extra?: Xspress3ExtraFields): Uint8Array[] {
  return [jsonPart({ ...extra, htype: 'series_end' })]
}
