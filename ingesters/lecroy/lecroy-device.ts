import { ConfigError } from '../../src/index.js'
import { checkSimulatorOptions, type DeviceType, intOption } from '../base/device-type.js'
import { createLecroySimulator } from './lecroy-simulator.js'
import { createLecroyUpstreamFactory } from './lecroy-upstream.js'

/** The lecroy device type for the registry (`ingesters/devices.ts`). */
export const lecroyDevice: DeviceType = {
  name: 'lecroy',
  summary: 'LeCroy oscilloscope (MAUI bridge): trigger sequences of f64 traces, zmq PUB',
  binds: 'device',
  simulatorOptions: {
    channels: 'channels, numbered from 1 (default 2)',
    triggers: 'triggers per sequence (default 3)',
    samples: 'samples per trigger (default 1000)',
    mode: 'sequential (default) or continuous (one sequence start for the run)',
  },
  upstream: (url) => createLecroyUpstreamFactory({ url }),
  simulator(spec) {
    checkSimulatorOptions(lecroyDevice, spec)
    const mode = spec.options.mode ?? 'sequential'
    if (mode !== 'sequential' && mode !== 'continuous') {
      throw new ConfigError(`simulator option mode=${mode}: expected sequential or continuous`)
    }
    return createLecroySimulator({
      bind: spec.bind,
      frames: spec.frames,
      channels: intOption(spec, 'channels', 2),
      triggers: intOption(spec, 'triggers', 3),
      samples: intOption(spec, 'samples', 1000),
      mode,
      rateHz: spec.rateHz,
      ...(spec.capture === undefined ? {} : { capture: spec.capture }),
    })
  },
}
