import { ConfigError } from '../src/index.js'
import type { DeviceType } from './base/device-type.js'
import { eigerLegacyDevice } from './eiger-legacy/eiger-legacy-device.js'
import { stinsDevice } from './stins/stins-device.js'
import { xspress3Device } from './xspress3/xspress3-device.js'

export type { DeviceType, SimulatorSpec } from './base/device-type.js'

/** Every device beamloom ingests and simulates, by name. */
export const DEVICES: ReadonlyMap<string, DeviceType> = new Map(
  [stinsDevice, eigerLegacyDevice, xspress3Device].map((d) => [d.name, d]),
)

/** The device called `name`. @throws ConfigError naming the known devices. */
export function deviceType(name: string): DeviceType {
  const device = DEVICES.get(name)
  if (device === undefined) {
    throw new ConfigError(`unknown device '${name}' (known: ${[...DEVICES.keys()].join(', ')})`)
  }
  return device
}
