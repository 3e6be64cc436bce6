import { ConfigError, type DtypeName } from '../../src/internal.js'
import type { IngestCommand, SimulateCommand } from './device-command.js'
import type { UpstreamFactory } from './upstream.js'
import type { DeviceSimulator } from './zmq-simulator.js'

/** What a simulator is asked to play, whatever the device. */
export interface SimulatorSpec {
  /** Where a simulator that binds (zmq, TCP) listens; `:*`/`:0` for an ephemeral port. */
  readonly bind: string
  /** Frames (points, rows batches, …) in the generated series. */
  readonly frames: number
  /** Messages per second; 0 sends as fast as the receiver takes them. */
  readonly rateHz: number
  /** Play this raw capture instead of generating a series. */
  readonly capture?: string
  /**
   * For devices whose ingester listens (Sardana posts over HTTP): the ingester's address the
   * simulator sends to. Unused by devices that bind.
   */
  readonly target?: string
  /** `[rows, cols]` of generated images (camera-like devices). */
  readonly shape?: readonly [number, number]
  readonly dtype?: DtypeName
  readonly compression?: 'none' | 'bslz4'
  /** Device-specific options, `key=value`, checked against {@link DeviceType.simulatorOptions}. */
  readonly options: Readonly<Record<string, string>>
}

/** One device protocol: how to ingest it and how to simulate it. */
export interface DeviceType {
  /** The name used on the command line and in scan files (`stins`, `xspress3`, …). */
  readonly name: string
  /** One line for `--help`. */
  readonly summary: string
  /**
   * `device`: the device (or its simulator) binds and the ingester connects to `url` (zmq, TCP).
   * `ingester`: the ingester listens at `url` and the device sends to it (Sardana's HTTP POST);
   * its simulator needs {@link SimulatorSpec.target}.
   */
  readonly binds: 'device' | 'ingester'
  /** Device-specific simulator options beyond the common ones, with their help text. */
  readonly simulatorOptions: Readonly<Record<string, string>>
  /**
   * The frames a series has when its device-specific options say so and `frames` is not
   * given (Contrast: `mesh=40x75` is 3000 points); `undefined`: the options do not say.
   * @throws ConfigError for an option it cannot read.
   */
  simulatorFrames?(options: Readonly<Record<string, string>>): number | undefined
  /** The upstream factory of an ingester reading the device at `url`. */
  upstream(url: string): UpstreamFactory
  /** Create (not start) a simulator. @throws ConfigError for an unknown or bad option. */
  simulator(spec: SimulatorSpec): DeviceSimulator
  /** `beamloom ingester <name>`: its help and the options beyond the common ones. */
  readonly ingest: IngestCommand
  /** `beamloom simulate <name>`: its help and options, and the simulator they make. */
  readonly simulate: SimulateCommand
}

/** Reject options a device does not know, naming the ones it does. */
export function checkSimulatorOptions(device: DeviceType, spec: SimulatorSpec): void {
  for (const key of Object.keys(spec.options)) {
    if (!(key in device.simulatorOptions)) {
      const known = Object.keys(device.simulatorOptions)
      throw new ConfigError(
        `the ${device.name} simulator has no option '${key}'${known.length > 0 ? ` (it knows ${known.join(', ')})` : ''}`,
      )
    }
  }
}

/** A whole number ≥ `min` from a device option, or `fallback` when absent. */
export function intOption(spec: SimulatorSpec, key: string, fallback: number, min = 1): number {
  const text = spec.options[key]
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isInteger(n) || n < min) {
    throw new ConfigError(`simulator option ${key}=${text}: expected a whole number ≥ ${min}`)
  }
  return n
}
