import { ConfigError } from '../src/internal.js'
import { albaemDevice } from './albaem/albaem-device.js'
import type { DeviceType } from './base/device-type.js'
import { contrastDevice } from './contrast/contrast-device.js'
import { eigerLegacyDevice } from './eiger-legacy/eiger-legacy-device.js'
import { eigerV2Device } from './eiger-v2/eiger-v2-device.js'
import { lecroyDevice } from './lecroy/lecroy-device.js'
import { pcapDevice, pcapZmqDevice } from './pcap/pcap-device.js'
import { sardanaDevice } from './sardana/sardana-device.js'
import { stinsDevice } from './stins/stins-device.js'
import { xspress3Device } from './xspress3/xspress3-device.js'

export type {
  DeviceIngesterDeps,
  DeviceOption,
  DeviceOptionParser,
  DeviceOptionValues,
  IngestCommand,
  SimulateCommand,
} from './base/device-command.js'
export type { DeviceType, SimulatorSpec } from './base/device-type.js'

/** Every device beamloom ingests and simulates, by name. */
export const DEVICES: ReadonlyMap<string, DeviceType> = new Map(
  [
    stinsDevice,
    eigerLegacyDevice,
    xspress3Device,
    pcapDevice,
    pcapZmqDevice,
    albaemDevice,
    lecroyDevice,
    eigerV2Device,
    contrastDevice,
    sardanaDevice,
  ].map((d) => [d.name, d]),
)

/** The device called `name`. @throws ConfigError naming the known devices. */
export function deviceType(name: string): DeviceType {
  const device = DEVICES.get(name)
  if (device === undefined) {
    throw new ConfigError(`unknown device '${name}' (known: ${[...DEVICES.keys()].join(', ')})`)
  }
  return device
}
