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
import { checkSimulatorOptions, type DeviceType, intOption } from '../base/device-type.js'
import type { EigerV2SimCompression } from './eiger-v2-simulator.js'
import { createEigerV2Simulator } from './eiger-v2-simulator.js'
import { createEigerV2UpstreamFactory } from './eiger-v2-upstream.js'

function isCodec(text: string): text is EigerV2SimCompression {
  return text === 'none' || text === 'bslz4' || text === 'lz4'
}

/** The eiger-v2 device type for the registry (`ingesters/devices.ts`). */
export const eigerV2Device: DeviceType = {
  name: 'eiger-v2',
  summary: 'DECTRIS Eiger, Stream V2 (CBOR start/image/end), zmq PUSH',
  binds: 'device',
  simulatorOptions: {
    thresholds: 'channels (energy thresholds) per image (default 1)',
    codec: 'image compression none, bslz4 or lz4 (default: the compression option, bslz4 if set)',
    detail: 'header detail basic (default) or all (pixel masks and a countrate table)',
  },
  upstream: (url) => createEigerV2UpstreamFactory({ url }),
  simulator(spec) {
    checkSimulatorOptions(eigerV2Device, spec)
    const dtype = spec.dtype ?? 'uint32'
    if (dtype !== 'uint8' && dtype !== 'uint16' && dtype !== 'uint32') {
      throw new ConfigError(`the eiger-v2 simulator sends uint8, uint16 or uint32, not ${dtype}`)
    }
    const codec = spec.options.codec ?? spec.compression ?? 'bslz4'
    if (!isCodec(codec)) {
      throw new ConfigError(`simulator option codec=${codec}: expected none, bslz4 or lz4`)
    }
    const detail = spec.options.detail ?? 'basic'
    if (detail !== 'basic' && detail !== 'all') {
      throw new ConfigError(`simulator option detail=${detail}: expected basic or all`)
    }
    return createEigerV2Simulator({
      bind: spec.bind,
      frames: spec.frames,
      shape: spec.shape ?? [64, 64],
      dtype,
      compression: codec,
      thresholds: intOption(spec, 'thresholds', 1),
      headerDetail: detail,
      rateHz: spec.rateHz,
      ...(spec.capture === undefined ? {} : { capture: spec.capture }),
    })
  },
  ingest: {
    description:
      'ingest a DECTRIS Eiger speaking Stream V2 (CBOR): PULL from it, forward start, image and end messages to workers',
    upstreamHelp: "the detector's PUSH endpoint, e.g. tcp://dcu:31001",
  },
  simulate: {
    description:
      'act as a DECTRIS Eiger (Stream V2): bind a PUSH, send a CBOR start, N images (one tag 40 array per threshold, bslz4/lz4 via tag 56500) and end — or replay a raw capture',
    options: [
      bindOption('PUSH address', 'tcp://127.0.0.1:31001'),
      framesOption('images in the series', 100),
      shapeOption(),
      eigerDtypeOption(),
      {
        flags: '--compression <codec>',
        description: 'image compression',
        choices: ['none', 'bslz4', 'lz4'],
        default: 'bslz4',
      },
      {
        flags: '--thresholds <n>',
        description: 'channels (energy thresholds) per image',
        parse: 'positiveInt',
        default: 1,
      },
      {
        flags: '--header-detail-all',
        description: 'send pixel masks and a countrate table in start',
      },
      rateOption('messages'),
      captureOption(),
    ],
    create(values) {
      const capture = values.string('capture')
      const compression = values.requireString('compression')
      if (!isCodec(compression)) throw new ConfigError(`unknown compression '${compression}'`)
      return {
        what: 'an Eiger (stream V2)',
        simulator: createEigerV2Simulator({
          lingerMs: DELIVER_EVERYTHING,
          bind: values.requireString('bind'),
          frames: values.requireNumber('frames'),
          shape: values.numberPair('shape') ?? [64, 64],
          dtype: eigerDtype(values.string('dtype')),
          compression,
          thresholds: values.requireNumber('thresholds'),
          headerDetail: values.flag('header-detail-all') ? 'all' : 'basic',
          rateHz: values.requireNumber('rate'),
          ...(capture === undefined ? {} : { capture }),
        }),
      }
    },
  },
}
