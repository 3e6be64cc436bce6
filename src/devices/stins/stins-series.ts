import type { DtypeName, NumericArray } from '../dtype.js'
import {
  encodeStinsEncodedImage,
  encodeStinsEnd,
  encodeStinsHeader,
  encodeStinsImage,
} from './encode-stins.js'
import type { StinsCompression } from './stins-messages.js'

/** Frames to send as a STINS series (an HDF5 stack, for example). */
export interface StinsFrameSource {
  readonly frames: number
  readonly frameShape: readonly number[]
  readFrame(i: number): Promise<NumericArray>
  /**
   * Frame `i` already encoded as `compression` (a bitshuffle-LZ4 chunk as the file stores it),
   * with its pixel type, or `undefined` when it is not stored that way.
   */
  readEncodedFrame?(
    i: number,
    compression: 'bslz4',
  ): Promise<{ readonly blob: Uint8Array; readonly dtype: DtypeName } | undefined>
}

/** Options of {@link stinsSeries}. */
export interface StinsSeriesOptions {
  /** `filename` of the header. */
  readonly filename: string
  /** Images in the series; beyond the source's frames it starts over (default: all of them). */
  readonly images?: number
  /** Blob encoding of the images (default `none`). */
  readonly compression?: StinsCompression
  /** Extra fields of the header (`{ source: … }`). */
  readonly header?: Readonly<Record<string, unknown>>
}

/**
 * One STINS series as a live detector sends it through the streaming-receiver: a `header`,
 * one `image` per frame (`frame` numbered from 0, `msg_number` counting every message), and
 * a `series_end`; each item is the message's zmq parts. Frames are read one at a time; with
 * `bslz4`, a frame the source stores bitshuffle-LZ4 compressed is sent as stored.
 */
export async function* stinsSeries(
  source: StinsFrameSource,
  options: StinsSeriesOptions,
): AsyncGenerator<Uint8Array[]> {
  const images = options.images ?? source.frames
  if (!Number.isInteger(images) || images < 0) throw new RangeError(`images: ${images}`)
  if (images > 0 && source.frames === 0) throw new RangeError('the source has no frames')
  yield encodeStinsHeader({
    msgNumber: 0,
    filename: options.filename,
    ...(options.header === undefined ? {} : { extra: options.header }),
  })
  const compression = options.compression ?? 'none'
  const shape = source.frameShape
  for (let frame = 0; frame < images; frame++) {
    const i = frame % source.frames
    // A frame stored as the wire wants it goes out as it is: no decoding, no re-encoding.
    const stored =
      compression === 'bslz4' ? await source.readEncodedFrame?.(i, compression) : undefined
    yield stored === undefined
      ? encodeStinsImage({
          msgNumber: frame + 1,
          frame,
          shape,
          data: await source.readFrame(i),
          compression,
        })
      : encodeStinsEncodedImage({ msgNumber: frame + 1, frame, shape, compression, ...stored })
  }
  yield encodeStinsEnd({ msgNumber: images + 1 })
}
