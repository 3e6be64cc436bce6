import type { NumericArray } from '../dtype.js'
import { encodeStinsEnd, encodeStinsHeader, encodeStinsImage } from './encode-stins.js'
import type { StinsCompression } from './stins-messages.js'

/** Frames to send as a STINS series (an HDF5 stack, for example). */
export interface StinsFrameSource {
  readonly frames: number
  readonly frameShape: readonly number[]
  readFrame(i: number): Promise<NumericArray>
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
 * a `series_end`; each item is the message's zmq parts. Frames are read one at a time.
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
  for (let frame = 0; frame < images; frame++) {
    yield encodeStinsImage({
      msgNumber: frame + 1,
      frame,
      shape: source.frameShape,
      data: await source.readFrame(frame % source.frames),
      compression: options.compression ?? 'none',
    })
  }
  yield encodeStinsEnd({ msgNumber: images + 1 })
}
