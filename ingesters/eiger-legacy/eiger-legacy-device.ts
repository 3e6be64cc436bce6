import { ConfigError } from '../../src/index.js'
import { checkSimulatorOptions, type DeviceType } from '../base/device-type.js'
import { createEigerLegacySimulator } from './eiger-legacy-simulator.js'
import { createEigerLegacyUpstreamFactory } from './eiger-legacy-upstream.js'

/** The eiger-legacy device type for the registry (`ingesters/devices.ts`). */
export const eigerLegacyDevice: DeviceType = {
  name: 'eiger-legacy',
  summary: 'DECTRIS Eiger, Stream V1 (dheader-1.0), zmq PUSH',
  binds: 'device',
  simulatorOptions: {},
  upstream: (url) => createEigerLegacyUpstreamFactory({ url }),
  simulator(spec) {
    checkSimulatorOptions(eigerLegacyDevice, spec)
    const dtype = spec.dtype ?? 'uint32'
    if (dtype !== 'uint8' && dtype !== 'uint16' && dtype !== 'uint32') {
      throw new ConfigError(
        `the eiger-legacy simulator sends uint8, uint16 or uint32, not ${dtype}`,
      )
    }
    return createEigerLegacySimulator({
      bind: spec.bind,
      frames: spec.frames,
      shape: spec.shape ?? [64, 64],
      dtype,
      rateHz: spec.rateHz,
      ...(spec.capture === undefined ? {} : { capture: spec.capture }),
    })
  },
}
