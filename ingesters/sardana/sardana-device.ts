import { ConfigError } from '../../src/internal.js'
import { checkSimulatorOptions, type DeviceType, intOption } from '../base/device-type.js'
import { createSardanaIngester } from './sardana-ingester.js'
import { createSardanaSimulator } from './sardana-simulator.js'
import { createSardanaUpstreamFactory } from './sardana-upstream.js'

/** The sardana device type for the registry (`ingesters/devices.ts`). */
export const sardanaDevice: DeviceType = {
  name: 'sardana',
  summary:
    'Sardana scan recorder, HTTP POST into the ingester (/v1/data_desc, record_data, record_end)',
  binds: 'ingester',
  simulatorOptions: {
    motor: 'the scanned motor (default mot01)',
    counters: 'counters per record (default 2)',
    serialno: 'scan serial number (default 1)',
  },
  upstream: (url) => createSardanaUpstreamFactory({ url }),
  simulator(spec) {
    checkSimulatorOptions(sardanaDevice, spec)
    if (spec.target === undefined) {
      throw new ConfigError('the sardana simulator posts to its ingester: give target=<url>')
    }
    if (spec.capture !== undefined) {
      throw new ConfigError('the sardana simulator generates a scan; it cannot replay a capture')
    }
    const { motor } = spec.options
    return createSardanaSimulator({
      target: spec.target,
      frames: spec.frames,
      rateHz: spec.rateHz,
      counters: intOption(spec, 'counters', 2, 0),
      serialno: intOption(spec, 'serialno', 1, 0),
      ...(motor === undefined ? {} : { motor }),
    })
  },
  ingest: {
    description:
      "ingest Sardana: listen for its recorder's POSTs (/v1/data_desc, /v1/record_data, /v1/record_end) for as long as the ingester runs; each body is one frame",
    upstreamHelp: 'where to listen for Sardana, e.g. http://0.0.0.0:5002',
    options: [
      {
        flags: '--token <token>',
        description: 'bearer token every POST must carry; unset: no check',
        envPrefix: 'INGESTER',
      },
    ],
    ingester: (config, url, values, deps) =>
      createSardanaIngester(config, { url, token: values.string('token') }, deps),
  },
  simulate: {
    description:
      "act as Sardana's recorder: POST a data description, N records (motor position, counters) and a record end to a Sardana ingester",
    options: [
      {
        flags: '--target <url>',
        description: 'the Sardana ingester',
        default: 'http://127.0.0.1:5002',
      },
      {
        flags: '--frames <n>',
        description: 'records of the scan',
        parse: 'nonNegativeInt',
        default: 10,
      },
      { flags: '--motor <name>', description: 'the scanned motor', default: 'mot01' },
      {
        flags: '--counters <n>',
        description: 'counters per record',
        parse: 'nonNegativeInt',
        default: 2,
      },
      {
        flags: '--rate <hz>',
        description: 'POSTs per second, 0 = as fast as answered',
        parse: 'rate',
        default: 10,
      },
      {
        flags: '--token <token>',
        description: 'bearer token the ingester wants',
        envPrefix: 'INGESTER',
      },
    ],
    create: (values) => ({
      what: 'Sardana',
      simulator: createSardanaSimulator({
        target: values.requireString('target'),
        frames: values.requireNumber('frames'),
        motor: values.requireString('motor'),
        counters: values.requireNumber('counters'),
        rateHz: values.requireNumber('rate'),
        token: values.string('token'),
      }),
    }),
  },
}
