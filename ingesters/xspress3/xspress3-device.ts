import { ConfigError } from '../../src/index.js'
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
}
