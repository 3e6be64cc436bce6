import {
  type DtypeName,
  encodeEigerLegacyEnd,
  encodeEigerLegacyHeader,
  encodeEigerLegacyImage,
} from '../../src/internal.js'
import {
  createZmqSimulator,
  type DeviceSimulator,
  deviceSimulatorOptions,
} from '../base/zmq-simulator.js'
import { createSpotImages } from '../stins/stins-images.js'

/** Options of {@link createEigerLegacySimulator}. */
export interface EigerLegacySimulatorOptions {
  /** Where the PUSH binds, e.g. `tcp://127.0.0.1:9999` (`:*` for an ephemeral port). */
  readonly bind: string
  /** Images in the series (between the header and the series end). */
  readonly frames: number
  /** `[rows, cols]`. */
  readonly shape: readonly [number, number]
  /** Pixel type; default `uint32` (as the detector sends with 32-bit counters). */
  readonly dtype?: Extract<DtypeName, 'uint8' | 'uint16' | 'uint32'>
  /** Messages per second; 0 sends as fast as the receiver takes them. */
  readonly rateHz: number
  /** Replay this raw capture (one zmq message per item) instead of generating a series. */
  readonly capture?: string
  /** Series number of the generated series. Default 1. */
  readonly series?: number
  /** Messages zmq queues before `send` waits. Default 1000. */
  readonly sendHighWaterMark?: number
  /** How long a graceful close keeps delivering queued messages, ms. Default 5000. */
  readonly lingerMs?: number
}

async function* generate(options: EigerLegacySimulatorOptions): AsyncGenerator<Uint8Array[]> {
  const series = options.series ?? 1
  const [rows, cols] = options.shape
  const dtype = options.dtype ?? 'uint32'
  yield encodeEigerLegacyHeader({
    series,
    headerDetail: 'basic',
    config: {
      description: 'beamloom Eiger V1 simulator',
      x_pixels_in_detector: cols,
      y_pixels_in_detector: rows,
      bit_depth_image: dtype === 'uint8' ? 8 : dtype === 'uint16' ? 16 : 32,
      nimages: options.frames,
      ntrigger: 1,
    },
  })
  const image = createSpotImages({ shape: options.shape, dtype })
  for (let frame = 0; frame < options.frames; frame++) {
    yield encodeEigerLegacyImage({
      series,
      frame,
      shape: options.shape,
      data: image(frame),
      compression: 'bslz4',
    })
  }
  yield encodeEigerLegacyEnd({ series })
}

/**
 * Create (not start) an Eiger Stream V1 (DECTRIS legacy) simulator: `start()` binds a PUSH;
 * once a receiver connects it sends a `dheader-1.0` (`header_detail: basic`), `frames` images
 * (Poisson background and a moving spot, `bs<bits>-lz4<`) and a `dseries_end-1.0` at
 * `rateHz` — or replays a raw capture such as `eiger-small.cbors`, one message per item.
 */
export function createEigerLegacySimulator(options: EigerLegacySimulatorOptions): DeviceSimulator {
  return createZmqSimulator({
    name: 'Eiger V1 simulator',
    socket: 'push',
    ...deviceSimulatorOptions(options, generate),
  })
}
