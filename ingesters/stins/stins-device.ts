import { existsSync } from 'node:fs'
import { ConfigError } from '../../src/index.js'
import { checkSimulatorOptions, type DeviceType } from '../base/device-type.js'
import { createStinsSimulator } from './stins-simulator.js'
import { createStinsUpstreamFactory } from './stins-upstream.js'

/** The stins device type for the registry (`ingesters/devices.ts`). */
export const stinsDevice: DeviceType = {
  name: 'stins',
  summary: 'STINS (Eiger, Pilatus, Orca, Basler, Zyla via the streaming-receiver), zmq PUSH',
  binds: 'device',
  simulatorOptions: {
    filename: 'filename announced in the header',
    h5: 'stream the frames of an HDF5 stack, file[:dataset] (frames= images, the stack cycled)',
    loop: 'send the series again and again (loop or loop=true)',
  },
  upstream: (url) => createStinsUpstreamFactory({ url }),
  simulator(spec) {
    checkSimulatorOptions(stinsDevice, spec)
    const filename = spec.options.filename
    const h5 = spec.options.h5 === undefined ? undefined : splitH5(spec.options.h5)
    const loop = spec.options.loop
    if (loop !== undefined && loop !== 'true' && loop !== 'false') {
      throw new ConfigError(`simulator option loop=${loop}: expected true or false`)
    }
    return createStinsSimulator({
      bind: spec.bind,
      frames: spec.frames,
      shape: spec.shape ?? [64, 64],
      dtype: spec.dtype ?? 'uint16',
      rateHz: spec.rateHz,
      compression: spec.compression ?? 'none',
      ...(spec.capture === undefined ? {} : { capture: spec.capture }),
      ...(filename === undefined ? {} : { filename }),
      ...(h5 === undefined ? {} : { h5 }),
      loop: loop === 'true',
    })
  },
}

/**
 * `file[:dataset]` (pure but for checking whether a name with colons is a file).
 * @throws ConfigError for an empty file name.
 */
export function splitH5(text: string): { file: string; dataset: string | undefined } {
  const colon = text.lastIndexOf(':')
  if (existsSync(text) || colon < 0) return { file: text, dataset: undefined }
  if (colon === 0) throw new ConfigError(`h5 '${text}': expected file[:dataset]`)
  return { file: text.slice(0, colon), dataset: text.slice(colon + 1) || undefined }
}
