import {
  encodeLecroyPrepare,
  encodeLecroySeqEnd,
  encodeLecroySeqStart,
  encodeLecroyStop,
  encodeLecroyTraces,
} from '../../src/internal.js'
import {
  createZmqSimulator,
  type DeviceSimulator,
  deviceSimulatorOptions,
} from '../base/zmq-simulator.js'

/** How the scope runs: a sequence start per sequence, or one for the whole run (`ntriggers: -1`). */
export type LecroyMode = 'sequential' | 'continuous'

/** Options of {@link createLecroySimulator}. */
export interface LecroySimulatorOptions {
  /** Where the PUB binds, e.g. `tcp://127.0.0.1:22004` (`:*` for an ephemeral port). */
  readonly bind: string
  /** Sequences in the run (one event each). */
  readonly frames: number
  /** Channels, numbered from 1; default 2. */
  readonly channels?: number
  /** Triggers per sequence (rows of each trace array); default 3. */
  readonly triggers?: number
  /** Samples per trigger; default 1000. */
  readonly samples?: number
  /** Default `sequential`. */
  readonly mode?: LecroyMode
  /** zmq messages per second; 0 sends as fast as the receiver takes them. */
  readonly rateHz: number
  /** Replay this raw capture (one zmq message per item) instead of generating a run. */
  readonly capture?: string
  /** Unix time of the first trigger, seconds. Default: when the run is generated. */
  readonly startS?: number
  /** Messages zmq queues before `send` waits. Default 1000. */
  readonly sendHighWaterMark?: number
  /** How long a graceful close keeps delivering queued messages, ms. Default 5000. */
  readonly lingerMs?: number
}

/** Seconds between samples of the simulated scope (a 1 GS/s digitiser). */
export const LECROY_SIM_INTERVAL_S = 1e-9
/** Seconds between triggers of the simulated run. */
export const LECROY_SIM_TRIGGER_PERIOD_S = 0.001

/**
 * The simulated voltage of `channel` (1-based) at `sample` of `trigger` in sequence `seq`: a
 * damped oscillation after the trigger, its amplitude varying with sequence, trigger and
 * channel, on a small offset. Exported so tests can recompute what the simulator sends.
 */
export function lecroyVoltage(
  seq: number,
  trigger: number,
  channel: number,
  sample: number,
): number {
  const amplitude = 0.05 * channel * (1 + 0.1 * ((seq * 3 + trigger) % 5))
  return 0.002 * channel + amplitude * Math.exp(-sample / 200) * Math.sin(sample / (8 + channel))
}

function* generate(options: LecroySimulatorOptions): Generator<Uint8Array[]> {
  const channelCount = options.channels ?? 2
  const triggers = options.triggers ?? 3
  const samples = options.samples ?? 1000
  const continuous = options.mode === 'continuous'
  const channels = Array.from({ length: channelCount }, (_, i) => i + 1)
  const startS = options.startS ?? Date.now() / 1000
  let message = 0
  yield encodeLecroyPrepare(message++)
  const seqStart = (seqno: number) =>
    encodeLecroySeqStart({
      frame: message++,
      ntriggers: continuous ? -1 : triggers,
      seqno,
      channels,
    })
  if (continuous) yield seqStart(0)
  for (let seq = 0; seq < options.frames; seq++) {
    if (!continuous) yield seqStart(seq)
    const first = startS + seq * triggers * LECROY_SIM_TRIGGER_PERIOD_S
    const timestamps = Array.from(
      { length: triggers },
      (_, t) => first + t * LECROY_SIM_TRIGGER_PERIOD_S,
    )
    for (const channel of channels) {
      const data = new Float64Array(triggers * samples)
      for (let t = 0; t < triggers; t++) {
        for (let s = 0; s < samples; s++) {
          data[t * samples + s] = lecroyVoltage(seq, t, channel, s)
        }
      }
      yield encodeLecroyTraces({
        channel,
        ts: first,
        frame: message++,
        data,
        shape: [triggers, samples],
        horizOffset: -10 * LECROY_SIM_INTERVAL_S,
        horizInterval: LECROY_SIM_INTERVAL_S,
        timestamps,
      })
    }
    yield encodeLecroySeqEnd(message++)
  }
  yield encodeLecroyStop(message, message)
}

/**
 * Create (not start) a LeCroy scope-bridge simulator: `start()` binds a publisher; once a
 * subscriber is there it publishes a prepare, then per sequence a sequence start (only once in
 * continuous mode), one 3-part traces message per channel (JSON, f64 `[triggers, samples]`
 * waveforms from {@link lecroyVoltage}, pickled trigger timestamps) and a sequence end, then a
 * stop, at `rateHz` — or replays a raw capture, one message per item.
 */
export function createLecroySimulator(options: LecroySimulatorOptions): DeviceSimulator {
  return createZmqSimulator({
    name: 'LeCroy simulator',
    socket: 'pub',
    ...deviceSimulatorOptions(options, generate),
  })
}
