import {
  type DtypeName,
  type EigerV2ArrayInput,
  encodeEigerV2End,
  encodeEigerV2Image,
  encodeEigerV2Start,
} from '../../src/internal.js'
import {
  createZmqSimulator,
  type DeviceSimulator,
  deviceSimulatorOptions,
} from '../base/zmq-simulator.js'
import { createSpotImages } from '../stins/stins-images.js'

/** Compression of generated images: none, bitshuffle-LZ4 or LZ4 (both behind tag 56500). */
export type EigerV2SimCompression = 'none' | 'bslz4' | 'lz4'

/** Options of {@link createEigerV2Simulator}. */
export interface EigerV2SimulatorOptions {
  /** Where the PUSH binds, e.g. `tcp://127.0.0.1:31001` (`:*` for an ephemeral port). */
  readonly bind: string
  /** Images in the series (between `start` and `end`). */
  readonly frames: number
  /** `[rows, cols]` = `[image_size_y, image_size_x]`. */
  readonly shape: readonly [number, number]
  /** Pixel type; default `uint32`. */
  readonly dtype?: Extract<DtypeName, 'uint8' | 'uint16' | 'uint32'>
  /** Default `bslz4`, as the detector sends by default. */
  readonly compression?: EigerV2SimCompression
  /** Channels (energy thresholds) per image, `threshold_1` …; default 1. */
  readonly thresholds?: number
  /** `all` adds a pixel mask per channel and a countrate table to `start`. Default `basic`. */
  readonly headerDetail?: 'basic' | 'all'
  /** Messages per second; 0 sends as fast as the receiver takes them. */
  readonly rateHz: number
  /** Replay this raw capture (one zmq message per item) instead of generating a series. */
  readonly capture?: string
  /** `series_id` of the generated series. Default 1. */
  readonly seriesId?: number
  /** Messages zmq queues before `send` waits. Default 1000. */
  readonly sendHighWaterMark?: number
  /** How long a graceful close keeps delivering queued messages, ms. Default 5000. */
  readonly lingerMs?: number
}

/** The channel names of `n` thresholds, as DECTRIS names them. */
export function eigerV2Channels(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `threshold_${i + 1}`)
}

const COUNT_TIME_NS = 1_000_000

function* generate(options: EigerV2SimulatorOptions): Generator<Uint8Array[]> {
  const seriesId = options.seriesId ?? 1
  const seriesUniqueId = `beamloom-sim-${seriesId}-${Date.now().toString(36)}`
  const [rows, cols] = options.shape
  const dtype = options.dtype ?? 'uint32'
  const channels = eigerV2Channels(options.thresholds ?? 1)
  const all = options.headerDetail === 'all'
  const mask = (): EigerV2ArrayInput => {
    const data = new Uint32Array(rows * cols)
    data[0] = 1 // one dead pixel in the corner, as real masks have some
    return { shape: [rows, cols], data }
  }
  yield encodeEigerV2Start({
    seriesId,
    seriesUniqueId,
    channels,
    ...(all
      ? {
          pixelMask: Object.fromEntries(channels.map((c) => [c, mask()])),
          countrateTable: Uint32Array.from({ length: 64 }, (_, i) => i * 10),
        }
      : {}),
    extra: {
      detector_description: 'beamloom Eiger Stream V2 simulator',
      image_size_x: cols,
      image_size_y: rows,
      image_dtype: dtype,
      number_of_images: options.frames,
      count_time: COUNT_TIME_NS / 1e9,
      frame_time: COUNT_TIME_NS / 1e9,
      threshold_energy: Object.fromEntries(channels.map((c, i) => [c, 6000 + 4000 * i])),
      header_detail: all ? 'all' : 'basic',
      arm_date: new Date().toISOString(),
    },
  })
  // Each threshold sees its own noise; higher thresholds count fewer photons.
  const images = channels.map((_, i) =>
    createSpotImages({ shape: options.shape, dtype, seed: i + 1, peak: 200 / (i + 1) }),
  )
  for (let frame = 0; frame < options.frames; frame++) {
    yield encodeEigerV2Image({
      seriesId,
      seriesUniqueId,
      imageId: frame,
      images: Object.fromEntries(
        channels.map((c, i) => [c, { shape: [rows, cols], data: images[i]!(frame) }]),
      ),
      compression: options.compression ?? 'bslz4',
      realTime: [COUNT_TIME_NS, 1_000_000_000],
      startTime: [frame * COUNT_TIME_NS, 1_000_000_000],
      stopTime: [(frame + 1) * COUNT_TIME_NS, 1_000_000_000],
    })
  }
  yield encodeEigerV2End({ seriesId, seriesUniqueId })
}

/**
 * Create (not start) a DECTRIS Stream V2 simulator: `start()` binds a PUSH; once a receiver
 * connects it sends a CBOR `start`, `frames` `image` messages (one tag 40 array per threshold,
 * Poisson background and a moving spot, compressed with tag 56500 `bslz4` or `lz4`, or raw)
 * and an `end` at `rateHz` — or replays a raw capture, one message per item.
 */
export function createEigerV2Simulator(options: EigerV2SimulatorOptions): DeviceSimulator {
  return createZmqSimulator({
    name: 'Eiger V2 simulator',
    socket: 'push',
    ...deviceSimulatorOptions(options, generate),
  })
}
