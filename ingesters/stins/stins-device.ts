import { checkSimulatorOptions, type DeviceType } from '../base/device-type.js'
import { createStinsSimulator } from './stins-simulator.js'
import { createStinsUpstreamFactory } from './stins-upstream.js'

/** The stins device type for the registry (`ingesters/devices.ts`). */
export const stinsDevice: DeviceType = {
  name: 'stins',
  summary: 'STINS (Eiger, Pilatus, Orca, Basler, Zyla via the streaming-receiver), zmq PUSH',
  binds: 'device',
  simulatorOptions: { filename: 'filename announced in the header' },
  upstream: (url) => createStinsUpstreamFactory({ url }),
  simulator(spec) {
    checkSimulatorOptions(stinsDevice, spec)
    const filename = spec.options.filename
    return createStinsSimulator({
      bind: spec.bind,
      frames: spec.frames,
      shape: spec.shape ?? [64, 64],
      dtype: spec.dtype ?? 'uint16',
      rateHz: spec.rateHz,
      compression: spec.compression ?? 'none',
      ...(spec.capture === undefined ? {} : { capture: spec.capture }),
      ...(filename === undefined ? {} : { filename }),
    })
  },
}
