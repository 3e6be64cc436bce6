import { ConfigError } from '../../src/index.js'
import { checkSimulatorOptions, type DeviceType, intOption } from '../base/device-type.js'
import { createSardanaSimulator } from './sardana-simulator.js'
import { createSardanaUpstreamFactory } from './sardana-upstream.js'

/** The sardana device type for the registry (`ingesters/devices.ts`). */
export const sardanaDevice: DeviceType = {
  name: 'sardana',
  summary:
    'Sardana scan recorder, HTTP POST into the ingester (/v1/data_desc, record_data, record_end)',
  binds: 'ingester',
  simulatorOptions: {
    motor: 'the scanned motor (default mot01)',
    counters: 'counters per record (default 2)',
    serialno: 'scan serial number (default 1)',
  },
  upstream: (url) => createSardanaUpstreamFactory({ url }),
  simulator(spec) {
    checkSimulatorOptions(sardanaDevice, spec)
    if (spec.target === undefined) {
      throw new ConfigError('the sardana simulator posts to its ingester: give target=<url>')
    }
    if (spec.capture !== undefined) {
      throw new ConfigError('the sardana simulator generates a scan; it cannot replay a capture')
    }
    const { motor } = spec.options
    return createSardanaSimulator({
      target: spec.target,
      frames: spec.frames,
      rateHz: spec.rateHz,
      counters: intOption(spec, 'counters', 2, 0),
      serialno: intOption(spec, 'serialno', 1, 0),
      ...(motor === undefined ? {} : { motor }),
    })
  },
}
