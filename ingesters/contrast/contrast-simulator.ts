import { ConfigError, encodeContrastMessage, toNumpyArray } from '../../src/internal.js'
import {
  createZmqSimulator,
  type DeviceSimulator,
  deviceSimulatorOptions,
} from '../base/zmq-simulator.js'

/** Options of {@link createContrastSimulator}. */
export interface ContrastSimulatorOptions {
  /** Where the PUB binds, e.g. `tcp://127.0.0.1:5556` (`:*` for an ephemeral port). */
  readonly bind: string
  /**
   * Points of the mesh to send (at most `mesh[0] × mesh[1]`; fewer ends the scan early as
   * `interrupted`). Default: the whole mesh.
   */
  readonly frames?: number
  /** Points along the slow (first) and the fast (second) motor; default `[4, 5]`. */
  readonly mesh?: readonly [number, number]
  /** The two motors, slow then fast; default `['sx', 'sy']` (NanoMAX's sample stage). */
  readonly motors?: readonly [string, string]
  /** Each motor's range, `[start, end]`; default `[-2, 2]` for both. */
  readonly range?: readonly [number, number]
  /** A heartbeat after every this many points (and one before and after the scan); 0: none. Default 10. */
  readonly heartbeatEvery?: number
  /** zmq messages per second; 0 sends as fast as the receiver takes them. */
  readonly rateHz: number
  /** Replay this raw capture (one zmq message per item) instead of generating a scan. */
  readonly capture?: string
  /** `scannr` of the generated scan; default 1. */
  readonly scannr?: number
  /** Extra wait after the first subscriber appeared, ms. Default 0. */
  readonly startDelayMs?: number
  /** How long a graceful close keeps delivering queued messages, ms. Default 5000. */
  readonly lingerMs?: number
}

/** The scan command Contrast would print for the mesh: `mesh sx -2 2 3 sy -2 2 4 0.1`. */
export function meshDescription(
  motors: readonly [string, string],
  mesh: readonly [number, number],
  range: readonly [number, number],
  exposure = 0.1,
): string {
  const [a, b] = range
  return `mesh ${motors[0]} ${a} ${b} ${mesh[0] - 1} ${motors[1]} ${a} ${b} ${mesh[1] - 1} ${exposure}`
}

/** Position `i` of `n` evenly spaced points over `[a, b]`. */
function along(i: number, n: number, [a, b]: readonly [number, number]): number {
  return n <= 1 ? a : a + ((b - a) * i) / (n - 1)
}

function* generate(options: ContrastSimulatorOptions): Generator<Uint8Array[]> {
  const mesh = options.mesh ?? [4, 5]
  const motors = options.motors ?? ['sx', 'sy']
  const range = options.range ?? [-2, 2]
  const total = mesh[0] * mesh[1]
  const points = Math.min(options.frames ?? total, total)
  const every = options.heartbeatEvery ?? 10
  const info = {
    scannr: options.scannr ?? 1,
    path: '/data/visitors/simulated/raw/sample',
    description: meshDescription(motors, mesh, range),
  }
  const at = (i: number) => ({
    [motors[0]]: along(Math.floor(i / mesh[1]), mesh[0], range),
    [motors[1]]: along(i % mesh[1], mesh[1], range),
  })
  if (every > 0) yield encodeContrastMessage({ kind: 'heartbeat' })
  yield encodeContrastMessage({ kind: 'start', ...info, snapshot: at(0) })
  for (let i = 0; i < points; i++) {
    const positions = at(i)
    const x = positions[motors[0]] ?? 0
    const y = positions[motors[1]] ?? 0
    // A fluorescence-like signal: a spot at the middle of the mesh, over a small floor.
    const signal = 0.01 + Math.exp(-(x * x + y * y) / 2)
    yield encodeContrastMessage({
      kind: 'data',
      dt: 0.4 * (i + 1),
      positions,
      detectors: {
        panda0: {
          'COUNTER1.OUT_Value': toNumpyArray(new Float64Array([i])),
          'FMC_IN.VAL6_Mean': toNumpyArray(new Float64Array([signal])),
        },
        xspress3: {
          type: 'Link',
          filename: `${info.path}/scan_${String(info.scannr).padStart(6, '0')}_xspress3.hdf5`,
          path: '/entry/instrument/xspress3/',
          universal: true,
        },
      },
    })
    if (every > 0 && (i + 1) % every === 0 && i + 1 < points) {
      yield encodeContrastMessage({ kind: 'heartbeat' })
    }
  }
  const reason = points < total ? 'interrupted' : 'finished'
  yield encodeContrastMessage({
    kind: 'end',
    reason,
    ...info,
    snapshot: at(Math.max(0, points - 1)),
  })
  if (every > 0) yield encodeContrastMessage({ kind: 'heartbeat' })
}

/**
 * Create (not start) a Contrast simulator (`CONFIG_INVALID` when `frames` exceeds the mesh):
 * `start()` binds a publisher; once a subscriber is
 * there it publishes one pickled dict per message at `rateHz` — a heartbeat, `started` (a mesh
 * scan over two motors), one `running` point per mesh position (motor positions, a PandA dict
 * of numpy arrays, an Xspress3 link) with heartbeats in between, `finished` and a last
 * heartbeat — or replays a raw capture such as `contrast-dump.cbors`.
 */
export function createContrastSimulator(options: ContrastSimulatorOptions): DeviceSimulator {
  const capture = options.capture
  const [slow, fast] = options.mesh ?? [4, 5]
  if (capture === undefined && (options.frames ?? 0) > slow * fast) {
    throw new ConfigError(
      `the Contrast simulator cannot send ${options.frames} points of a ${slow}x${fast} mesh`,
    )
  }
  return createZmqSimulator({
    name: 'Contrast simulator',
    socket: 'pub',
    ...deviceSimulatorOptions(options, generate),
  })
}
