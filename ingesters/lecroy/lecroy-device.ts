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
  ingest: {
    description:
      'ingest a LeCroy oscilloscope (MAUI bridge): SUBscribe to its PUB, join each trigger sequence (start, traces per channel, end) into one event',
    upstreamHelp: "the bridge's PUB endpoint, e.g. tcp://scope:22004",
  },
  simulate: {
    description:
      'act as a LeCroy oscilloscope bridge: bind a PUB, wait for a subscriber, publish prepare, N sequences (sequence start, f64 traces with trigger timestamps per channel, sequence end) and stop — or replay a raw capture',
    options: [
      bindOption('PUB address', 'tcp://127.0.0.1:22004'),
      framesOption('sequences in the run', 10),
      channelsOption(2),
      {
        flags: '--triggers <n>',
        description: 'triggers per sequence',
        parse: 'positiveInt',
        default: 3,
      },
      {
        flags: '--samples <n>',
        description: 'samples per trigger',
        parse: 'positiveInt',
        default: 1000,
      },
      {
        flags: '--mode <mode>',
        description: 'sequential, or continuous (one sequence start for the run)',
        choices: ['sequential', 'continuous'],
        default: 'sequential',
      },
      rateOption('zmq messages'),
      captureOption(),
    ],
    create(values) {
      const capture = values.string('capture')
      return {
        what: 'a LeCroy oscilloscope',
        simulator: createLecroySimulator({
          lingerMs: DELIVER_EVERYTHING,
          bind: values.requireString('bind'),
          frames: values.requireNumber('frames'),
          channels: values.requireNumber('channels'),
          triggers: values.requireNumber('triggers'),
          samples: values.requireNumber('samples'),
          mode: values.string('mode') === 'continuous' ? 'continuous' : 'sequential',
          rateHz: values.requireNumber('rate'),
          ...(capture === undefined ? {} : { capture }),
        }),
      }
    },
  },
}
