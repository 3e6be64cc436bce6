import { ConfigError } from '../../src/index.js'
import { checkSimulatorOptions, type DeviceType, intOption } from '../base/device-type.js'
import { createAlbaemSimulator } from './albaem-simulator.js'
import { createAlbaemUpstreamFactory } from './albaem-upstream.js'

/** The albaem device type for the registry (`ingesters/devices.ts`). */
export const albaemDevice: DeviceType = {
  name: 'albaem',
  summary: 'AlbaEM electrometer (channel currents), zmq PUB of JSON messages',
  binds: 'device',
  simulatorOptions: {
    channels: 'channels per data message (default 4)',
    naming: 'channel field names: channel1 (channel1…, default) or channel_0 (channel_0…)',
  },
  upstream: (url) => createAlbaemUpstreamFactory({ url }),
  simulator(spec) {
    checkSimulatorOptions(albaemDevice, spec)
    const naming = spec.options.naming ?? 'channel1'
    if (naming !== 'channel1' && naming !== 'channel_0') {
      throw new ConfigError(`simulator option naming=${naming}: expected channel1 or channel_0`)
    }
    return createAlbaemSimulator({
      bind: spec.bind,
      frames: spec.frames,
      channels: intOption(spec, 'channels', 4),
      naming,
      rateHz: spec.rateHz,
      ...(spec.capture === undefined ? {} : { capture: spec.capture }),
    })
  },
}
