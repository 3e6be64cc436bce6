import { existsSync } from 'node:fs'
import { ConfigError, DTYPE_NAMES, type DtypeName } from '../../src/internal.js'
import { DELIVER_EVERYTHING } from '../base/device-command.js'
import {
  bindOption,
  captureOption,
  framesOption,
  rateOption,
  shapeOption,
} from '../base/device-options.js'
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
  ingest: {
    description:
      'ingest a STINS device (Eiger, Pilatus, Orca, Basler, Zyla behind the streaming-receiver): PULL from it, forward frames to workers',
    upstreamHelp: "the device's PUSH endpoint, e.g. tcp://det:9999",
  },
  simulate: {
    description:
      'act as a STINS detector: bind a PUSH, send a header, N images (Poisson background, moving spot, or the frames of an HDF5 stack) and series_end — or replay a raw capture',
    options: [
      bindOption('PUSH address', 'tcp://127.0.0.1:9999'),
      framesOption('images in the series', 100),
      shapeOption(),
      {
        flags: '--dtype <type>',
        description: 'pixel type',
        choices: DTYPE_NAMES,
        default: 'uint16',
      },
      rateOption('messages'),
      { flags: '--bslz4', description: 'compress images with bitshuffle-LZ4' },
      captureOption(),
      {
        flags: '--h5 <file[:dataset]>',
        description:
          'stream the frames of an HDF5 stack (EIGER master, NeXus, bitshuffle-LZ4/LZ4/gzip chunks) instead of generated images; --frames then defaults to the whole stack (more cycles it)',
      },
      { flags: '--from-h5 <file[:dataset]>', description: 'the same as --h5', hidden: true },
      { flags: '--loop', description: 'send the series again and again until interrupted' },
      { flags: '--filename <name>', description: 'filename announced in the header' },
    ],
    create(values) {
      const h5Text = values.string('h5') ?? values.string('from-h5')
      const h5 = h5Text === undefined ? undefined : splitH5(h5Text)
      const capture = values.string('capture')
      if (h5 !== undefined && capture !== undefined) {
        throw new ConfigError('give --h5 or --capture, not both')
      }
      // With a stack, the series is the stack unless --frames says otherwise.
      const frames =
        h5 !== undefined && values.fromDefault('frames') ? 0 : values.requireNumber('frames')
      const filename = values.string('filename')
      return {
        what: h5 === undefined ? 'STINS' : `STINS from ${h5Text}`,
        simulator: createStinsSimulator({
          lingerMs: DELIVER_EVERYTHING,
          bind: values.requireString('bind'),
          frames,
          shape: values.numberPair('shape') ?? [64, 64],
          dtype: dtypeName(values.requireString('dtype')),
          rateHz: values.requireNumber('rate'),
          compression: values.flag('bslz4') ? 'bslz4' : 'none',
          loop: values.flag('loop'),
          ...(h5 === undefined ? {} : { h5 }),
          ...(capture === undefined ? {} : { capture }),
          ...(filename === undefined ? {} : { filename }),
        }),
      }
    },
  },
}

function dtypeName(text: string): DtypeName {
  const found = DTYPE_NAMES.find((name) => name === text)
  if (found === undefined) throw new ConfigError(`unknown pixel type '${text}'`)
  return found
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
