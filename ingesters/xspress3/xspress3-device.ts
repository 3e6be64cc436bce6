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
import { createXspress3Simulator } from './xspress3-simulator.js'
import { createXspress3UpstreamFactory } from './xspress3-upstream.js'

/** The xspress3 device type for the registry (`ingesters/devices.ts`). */
export const xspress3Device: DeviceType = {
  name: 'xspress3',
  summary: 'Xspress3 fluorescence detector, zmq PUB (both message forms)',
  binds: 'device',
  simulatorOptions: {
    channels: 'channels per frame (default 4)',
    bins: 'bins per channel (default 4096)',
    form: 'multipart (2024, default) or three-messages (2021)',
    filename: 'filename announced in the header',
  },
  upstream: (url) => createXspress3UpstreamFactory({ url }),
  simulator(spec) {
    checkSimulatorOptions(xspress3Device, spec)
    const form = spec.options.form ?? 'multipart'
    if (form !== 'multipart' && form !== 'three-messages') {
      throw new ConfigError(`simulator option form=${form}: expected multipart or three-messages`)
    }
    const filename = spec.options.filename
    return createXspress3Simulator({
      bind: spec.bind,
      frames: spec.frames,
      channels: intOption(spec, 'channels', 4),
      bins: intOption(spec, 'bins', 4096),
      rateHz: spec.rateHz,
      form,
      ...(spec.capture === undefined ? {} : { capture: spec.capture }),
      ...(filename === undefined ? {} : { filename }),
    })
  },
  ingest: {
    description:
      'ingest an Xspress3: SUBscribe to its PUB, join each frame into [json, spectra, meta], forward frames to workers',
    upstreamHelp: "the device's PUB endpoint, e.g. tcp://xsp3:9999",
  },
  simulate: {
    description:
      'act as an Xspress3: bind a PUB, wait for a subscriber, publish a header, N frames (JSON, spectra, pickled metadata) and series_end — or replay a raw capture',
    options: [
      bindOption('PUB address', 'tcp://127.0.0.1:9999'),
      framesOption('frames in the series', 100),
      channelsOption(4),
      { flags: '--bins <n>', description: 'bins per channel', parse: 'positiveInt', default: 4096 },
      rateOption('zmq messages'),
      {
        flags: '--three-messages',
        description:
          'send each frame as three one-part messages (2021 device) instead of one three-part message',
      },
      captureOption(),
      { flags: '--filename <name>', description: 'filename announced in the header' },
    ],
    create(values) {
      const capture = values.string('capture')
      const filename = values.string('filename')
      return {
        what: 'an Xspress3',
        simulator: createXspress3Simulator({
          lingerMs: DELIVER_EVERYTHING,
          bind: values.requireString('bind'),
          frames: values.requireNumber('frames'),
          channels: values.requireNumber('channels'),
          bins: values.requireNumber('bins'),
          rateHz: values.requireNumber('rate'),
          form: values.flag('three-messages') ? 'three-messages' : 'multipart',
          ...(capture === undefined ? {} : { capture }),
          ...(filename === undefined ? {} : { filename }),
        }),
      }
    },
  },
}
