import { ConfigError } from '../../src/internal.js'
import { DELIVER_EVERYTHING } from '../base/device-command.js'
import {
  bindOption,
  captureOption,
  eigerDtype,
  eigerDtypeOption,
  framesOption,
  rateOption,
  shapeOption,
} from '../base/device-options.js'
import { checkSimulatorOptions, type DeviceType } from '../base/device-type.js'
import { createEigerLegacySimulator } from './eiger-legacy-simulator.js'
import { createEigerLegacyUpstreamFactory } from './eiger-legacy-upstream.js'

/** The eiger-legacy device type for the registry (`ingesters/devices.ts`). */
export const eigerLegacyDevice: DeviceType = {
  name: 'eiger-legacy',
  summary: 'DECTRIS Eiger, Stream V1 (dheader-1.0), zmq PUSH',
  binds: 'device',
  simulatorOptions: {},
  upstream: (url) => createEigerLegacyUpstreamFactory({ url }),
  simulator(spec) {
    checkSimulatorOptions(eigerLegacyDevice, spec)
    const dtype = spec.dtype ?? 'uint32'
    if (dtype !== 'uint8' && dtype !== 'uint16' && dtype !== 'uint32') {
      throw new ConfigError(
        `the eiger-legacy simulator sends uint8, uint16 or uint32, not ${dtype}`,
      )
    }
    return createEigerLegacySimulator({
      bind: spec.bind,
      frames: spec.frames,
      shape: spec.shape ?? [64, 64],
      dtype,
      rateHz: spec.rateHz,
      ...(spec.capture === undefined ? {} : { capture: spec.capture }),
    })
  },
  ingest: {
    description:
      'ingest a DECTRIS Eiger speaking Stream V1 (dheader-1.0): PULL from it, forward frames to workers',
    upstreamHelp: "the detector's PUSH endpoint, e.g. tcp://det:9999",
  },
  simulate: {
    description:
      'act as a DECTRIS Eiger (Stream V1): bind a PUSH, send a dheader-1.0, N bs-lz4 images and dseries_end-1.0 — or replay a raw capture',
    options: [
      bindOption('PUSH address', 'tcp://127.0.0.1:9999'),
      framesOption('images in the series', 100),
      shapeOption(),
      eigerDtypeOption(),
      rateOption('messages'),
      captureOption(),
    ],
    create(values) {
      const capture = values.string('capture')
      return {
        what: 'an Eiger (stream V1)',
        simulator: createEigerLegacySimulator({
          lingerMs: DELIVER_EVERYTHING,
          bind: values.requireString('bind'),
          frames: values.requireNumber('frames'),
          shape: values.numberPair('shape') ?? [64, 64],
          dtype: eigerDtype(values.string('dtype')),
          rateHz: values.requireNumber('rate'),
          ...(capture === undefined ? {} : { capture }),
        }),
      }
    },
  },
}
