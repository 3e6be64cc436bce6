import {
  encodeXspress3End,
  encodeXspress3Frame,
  encodeXspress3Header,
  toNumpyArray,
} from '../../src/internal.js'
import {
  createZmqSimulator,
  type DeviceSimulator,
  deviceSimulatorOptions,
} from '../base/zmq-simulator.js'

/** How frames go on the wire: one three-part message (2024) or three one-part messages (2021). */
export type Xspress3Form = 'multipart' | 'three-messages'

/** Options of {@link createXspress3Simulator}. */
export interface Xspress3SimulatorOptions {
  /** Where the PUB binds, e.g. `tcp://127.0.0.1:9999` (`:*` for an ephemeral port). */
  readonly bind: string
  /** Frames in the series (between the header and the series end). */
  readonly frames: number
  /** Channels of each frame; default 4. */
  readonly channels?: number
  /** Bins per channel; default 4096. */
  readonly bins?: number
  /** zmq messages per second; 0 sends as fast as the receiver takes them. */
  readonly rateHz: number
  /** Default `multipart`. */
  readonly form?: Xspress3Form
  /** Replay this raw capture (one zmq message per item) instead of generating a series. */
  readonly capture?: string
  /** `filename` of the header. */
  readonly filename?: string
  /** Extra wait after the first subscriber appeared, ms. Default 0. */
  readonly startDelayMs?: number
  /** Messages zmq queues before `send` waits. Default 1000. */
  readonly sendHighWaterMark?: number
  /** How long a graceful close keeps delivering queued messages, ms. Default 5000. */
  readonly lingerMs?: number
}

/** Spectra of one frame: a fluorescence line per channel that drifts with the frame, and a floor. */
function spectra(frame: number, channels: number, bins: number): Uint32Array {
  const out = new Uint32Array(channels * bins)
  const sigma = Math.max(2, bins / 200)
  for (let c = 0; c < channels; c++) {
    const centre = (bins * (0.3 + 0.05 * c + 0.01 * (frame % 10))) % bins
    for (let b = 0; b < bins; b++) {
      const line = 100 * Math.exp(-((b - centre) ** 2) / (2 * sigma * sigma))
      out[c * bins + b] = Math.round(line) + ((b * 7 + frame * 13 + c) % 3)
    }
  }
  return out
}

function* generate(options: Xspress3SimulatorOptions): Generator<Uint8Array[]> {
  const channels = options.channels ?? 4
  const bins = options.bins ?? 4096
  const multipart = (options.form ?? 'multipart') === 'multipart'
  yield encodeXspress3Header({ filename: options.filename ?? 'simulated.h5' })
  for (let frame = 0; frame < options.frames; frame++) {
    const data = spectra(frame, channels, bins)
    const counts = new Uint32Array(channels)
    for (let c = 0; c < channels; c++) {
      for (let b = 0; b < bins; b++) counts[c] = (counts[c] ?? 0) + (data[c * bins + b] ?? 0)
    }
    const perChannel = (value: (c: number) => number) =>
      toNumpyArray(Float64Array.from({ length: channels }, (_, c) => value(c)))
    const meta = [
      perChannel((c) => (counts[c] ?? 0) * 10),
      toNumpyArray(counts.slice()),
      toNumpyArray(counts.slice()),
      toNumpyArray(new Uint32Array(channels).fill(8_000_000)),
      toNumpyArray(new Uint32Array(channels).fill(8_000_000)),
      toNumpyArray(new Uint32Array(channels)),
      toNumpyArray(new Uint32Array(channels).fill(6)),
      perChannel(() => 1),
    ]
    const parts = encodeXspress3Frame({
      frame,
      spectra: data,
      shape: [channels, bins],
      meta,
      metaProtocol: multipart ? 4 : 3,
    })
    if (multipart) yield parts
    else for (const part of parts) yield [part]
  }
  yield encodeXspress3End()
}

/**
 * Create (not start) an Xspress3 simulator: `start()` binds a publisher; once a subscriber
 * is there it publishes a `header`, `frames` frames (JSON, uint32 `[channels, bins]` spectra,
 * pickled metadata; as one three-part message or as three messages, per `form`) and a
 * `series_end` at `rateHz` — or replays a raw capture such as `xspress3-dump.cbors`.
 */
export function createXspress3Simulator(options: Xspress3SimulatorOptions): DeviceSimulator {
  return createZmqSimulator({
    name: 'Xspress3 simulator',
    socket: 'pub',
    ...deviceSimulatorOptions(options, generate),
  })
}
