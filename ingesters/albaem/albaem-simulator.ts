import {
  type AlbaemChannelNaming,
  encodeAlbaemData,
  encodeAlbaemEnd,
  encodeAlbaemStart,
} from '../../src/internal.js'
import {
  createZmqSimulator,
  type DeviceSimulator,
  deviceSimulatorOptions,
} from '../base/zmq-simulator.js'

/** Options of {@link createAlbaemSimulator}. */
export interface AlbaemSimulatorOptions {
  /** Where the PUB binds, e.g. `tcp://127.0.0.1:22003` (`:*` for an ephemeral port). */
  readonly bind: string
  /** Data messages in the series (between `series-start` and `series-end`). */
  readonly frames: number
  /** Channels per data message; default 4. */
  readonly channels?: number
  /** `channel1` (`channel1` … `channel4`, default) or `channel_0` (`channel_0` … `channel_3`). */
  readonly naming?: AlbaemChannelNaming
  /** Messages per second; 0 sends as fast as the receiver takes them. */
  readonly rateHz: number
  /** Replay this raw capture (one zmq message per item) instead of generating a series. */
  readonly capture?: string
  /** Unix time of the first acquisition, ms. Default: when the series is generated. */
  readonly startMs?: number
  /** Messages zmq queues before `send` waits. Default 1000. */
  readonly sendHighWaterMark?: number
  /** How long a graceful close keeps delivering queued messages, ms. Default 5000. */
  readonly lingerMs?: number
}

/**
 * Channel `c`'s current at data frame `frame`, ampere: a per-channel offset of a few hundred
 * pA, a slow drift and a small deterministic ripple, like an electrometer reading a beam
 * monitor. Exported so tests can recompute what the simulator sends.
 */
export function albaemCurrent(frame: number, channel: number): number {
  const offset = (channel % 2 === 0 ? -1 : 1) * (30 + 110 * channel) * 1e-12
  const drift = 2e-12 * Math.sin(frame / 7 + channel)
  const ripple = 1e-13 * (((frame * 31 + channel * 17) % 11) - 5)
  return offset + drift + ripple
}

function* generate(options: AlbaemSimulatorOptions): Generator<Uint8Array[]> {
  const channels = options.channels ?? 4
  const periodS = options.rateHz > 0 ? 1 / options.rateHz : 0.001
  const startNs = BigInt(Math.round(options.startMs ?? Date.now())) * 1_000_000n
  let messageId = 1
  yield encodeAlbaemStart({ messageId: messageId++ })
  for (let frame = 0; frame < options.frames; frame++) {
    const seconds = (frame + 1) * periodS
    yield encodeAlbaemData({
      messageId: messageId++,
      frameNumber: frame,
      timestamp: seconds,
      acquisitionTimestampNs: Number(startNs + BigInt(Math.round(seconds * 1e9))),
      currents: Array.from({ length: channels }, (_, c) => albaemCurrent(frame, c)),
      ...(options.naming === undefined ? {} : { naming: options.naming }),
    })
  }
  yield encodeAlbaemEnd({ messageId })
}

/**
 * Create (not start) an AlbaEM electrometer simulator: `start()` binds a publisher; once a
 * subscriber is there it publishes `series-start`, `frames` data messages (channel currents
 * from {@link albaemCurrent}) and `series-end` at `rateHz` — or replays a raw capture such as
 * `albaem-dump.cbors`, one message per item.
 */
export function createAlbaemSimulator(options: AlbaemSimulatorOptions): DeviceSimulator {
  return createZmqSimulator({
    name: 'AlbaEM simulator',
    socket: 'pub',
    ...deviceSimulatorOptions(options, generate),
  })
}
