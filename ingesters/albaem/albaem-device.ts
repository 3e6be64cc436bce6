import { ConfigError } from '../../src/internal.js'
import { DELIVER_EVERYTHING } from '../base/device-command.js'
import {
  bindOption,
  captureOption,
  channelsOption,
  framesOption,
  rateOption,
} from '../base/device-options.js'
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
  ingest: {
    description:
      'ingest an AlbaEM electrometer: SUBscribe to its PUB, forward series-start, data and series-end messages to workers',
    upstreamHelp: "the streamer's PUB endpoint, e.g. tcp://albaem:22003",
  },
  simulate: {
    description:
      'act as an AlbaEM electrometer: bind a PUB, wait for a subscriber, publish series-start, N data messages (channel currents) and series-end — or replay a raw capture',
    options: [
      bindOption('PUB address', 'tcp://127.0.0.1:22003'),
      framesOption('data messages in the series', 100),
      channelsOption(4),
      {
        flags: '--naming <scheme>',
        description: 'channel field names: channel1… or channel_0…',
        choices: ['channel1', 'channel_0'],
        default: 'channel1',
      },
      rateOption('messages'),
      captureOption(),
    ],
    create(values) {
      const capture = values.string('capture')
      return {
        what: 'an AlbaEM electrometer',
        simulator: createAlbaemSimulator({
          lingerMs: DELIVER_EVERYTHING,
          bind: values.requireString('bind'),
          frames: values.requireNumber('frames'),
          channels: values.requireNumber('channels'),
          naming: values.string('naming') === 'channel_0' ? 'channel_0' : 'channel1',
          rateHz: values.requireNumber('rate'),
          ...(capture === undefined ? {} : { capture }),
        }),
      }
    },
  },
}
