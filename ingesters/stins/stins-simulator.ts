import {
  type DtypeName,
  encodeStinsEnd,
  encodeStinsHeader,
  encodeStinsImage,
  openHdf5Stack,
  type StinsCompression,
  stinsSeries,
} from '../../src/internal.js'
import {
  createZmqSimulator,
  type DeviceSimulator,
  deviceSimulatorOptions,
} from '../base/zmq-simulator.js'
import { createSpotImages } from './stins-images.js'

/** Options of {@link createStinsSimulator}. */
export interface StinsSimulatorOptions {
  /** Where the PUSH binds, e.g. `tcp://127.0.0.1:9999` (`:*` for an ephemeral port). */
  readonly bind: string
  /** Images in the series (between the header and the series end). */
  readonly frames: number
  /** `[rows, cols]`. */
  readonly shape: readonly [number, number]
  readonly dtype: DtypeName
  /** Messages per second; 0 sends as fast as the receiver takes them. */
  readonly rateHz: number
  readonly compression: StinsCompression
  /** Replay this raw capture (one zmq message per item) instead of generating a series. */
  readonly capture?: string
  /**
   * Stream the frames of this HDF5 stack instead of generated images (`shape` and `dtype` are
   * the stack's; `frames` 0 means all of them, more than the stack has starts it over).
   */
  readonly h5?: { readonly file: string; readonly dataset?: string | undefined }
  /** Send the series again and again (a new header after each series end) until closed. */
  readonly loop?: boolean
  /** `filename` of the header. */
  readonly filename?: string
  /** Messages zmq queues before `send` waits (back-pressure). Default 1000. */
  readonly sendHighWaterMark?: number
  /** How long a graceful close keeps delivering queued messages, ms. Default 5000. */
  readonly lingerMs?: number
}

/** A running STINS simulator (see {@link createStinsSimulator}). */
export type StinsSimulator = DeviceSimulator

async function* generate(options: StinsSimulatorOptions): AsyncGenerator<Uint8Array[]> {
  if (options.h5 === undefined) {
    do {
      yield* spotSeries(options)
    } while (options.loop === true)
    return
  }
  // The stack stays open for every series it is sent in.
  const h5 = options.h5
  const stack = await openHdf5Stack(h5.file, h5.dataset)
  try {
    do {
      yield* stinsSeries(stack, {
        filename: options.filename ?? h5.file,
        images: options.frames > 0 ? options.frames : stack.frames,
        compression: options.compression,
        header: { source: `${h5.file}:${stack.dataset}` },
      })
    } while (options.loop === true)
  } finally {
    await stack.close()
  }
}

function* spotSeries(options: StinsSimulatorOptions): Generator<Uint8Array[]> {
  const image = createSpotImages({ shape: options.shape, dtype: options.dtype })
  yield encodeStinsHeader({ msgNumber: 0, filename: options.filename ?? 'simulated.h5' })
  for (let frame = 0; frame < options.frames; frame++) {
    yield encodeStinsImage({
      msgNumber: frame + 1,
      frame,
      shape: options.shape,
      data: image(frame),
      compression: options.compression,
    })
  }
  yield encodeStinsEnd({ msgNumber: options.frames + 1 })
}

/**
 * Create (not start) a STINS device simulator: `start()` binds a PUSH; once a receiver
 * connects it sends a `header`, `frames` images (Poisson background and a moving spot, or the
 * frames of an HDF5 stack; raw or bitshuffle-LZ4) and a `series_end` at `rateHz`, once or
 * (`loop`) again and again — or replays a raw capture, one message per item. Sends wait while
 * zmq's queue is full. `start()` rejects with `CONFIG_INVALID` when the address cannot be
 * bound; a capture or stack that cannot be read closes it with the read error.
 */
export function createStinsSimulator(options: StinsSimulatorOptions): StinsSimulator {
  return createZmqSimulator({
    name: 'STINS simulator',
    socket: 'push',
    ...deviceSimulatorOptions(options, generate),
  })
}
