import { Command, Option } from 'commander'
import { createAlbaemIngester } from '../../ingesters/albaem/albaem-ingester.js'
import { createAlbaemSimulator } from '../../ingesters/albaem/albaem-simulator.js'
import { createEigerV2Ingester } from '../../ingesters/eiger-v2/eiger-v2-ingester.js'
import {
  createEigerV2Simulator,
  type EigerV2SimCompression,
} from '../../ingesters/eiger-v2/eiger-v2-simulator.js'
import { createLecroyIngester } from '../../ingesters/lecroy/lecroy-ingester.js'
import { createLecroySimulator, type LecroyMode } from '../../ingesters/lecroy/lecroy-simulator.js'
import { deviceCommand } from './ingester.js'
import {
  captureOption,
  channelsOption,
  DELIVER_EVERYTHING,
  eigerDtypeOption,
  framesOption,
  positiveInt,
  rateOption,
  runSimulator,
  shapeOption,
} from './simulate.js'

/**
 * `beamloom ingester` and `beamloom simulate` subcommands of the AlbaEM electrometer, the
 * LeCroy oscilloscope and the DECTRIS Eiger Stream V2 (see docs/devices/).
 */

/** `beamloom ingester albaem`. */
export function albaemIngesterCommand(): Command {
  return deviceCommand(
    'albaem',
    'ingest an AlbaEM electrometer: SUBscribe to its PUB, forward series-start, data and series-end messages to workers',
    "the streamer's PUB endpoint, e.g. tcp://albaem:22003",
    (config, url, deps) => createAlbaemIngester(config, { url }, deps),
  )
}

/** `beamloom ingester lecroy`. */
export function lecroyIngesterCommand(): Command {
  return deviceCommand(
    'lecroy',
    'ingest a LeCroy oscilloscope (MAUI bridge): SUBscribe to its PUB, join each trigger sequence (start, traces per channel, end) into one event',
    "the bridge's PUB endpoint, e.g. tcp://scope:22004",
    (config, url, deps) => createLecroyIngester(config, { url }, deps),
  )
}

/** `beamloom ingester eiger-v2`. */
export function eigerV2IngesterCommand(): Command {
  return deviceCommand(
    'eiger-v2',
    'ingest a DECTRIS Eiger speaking Stream V2 (CBOR): PULL from it, forward start, image and end messages to workers',
    "the detector's PUSH endpoint, e.g. tcp://dcu:31001",
    (config, url, deps) => createEigerV2Ingester(config, { url }, deps),
  )
}

/** `beamloom simulate albaem`. */
export function albaemSimulateCommand(): Command {
  return new Command('albaem')
    .description(
      'act as an AlbaEM electrometer: bind a PUB, wait for a subscriber, publish series-start, N data messages (channel currents) and series-end — or replay a raw capture',
    )
    .option('--bind <address>', 'PUB address', 'tcp://127.0.0.1:22003')
    .addOption(framesOption('data messages in the series', 100))
    .addOption(channelsOption(4))
    .addOption(
      new Option('--naming <scheme>', 'channel field names: channel1… or channel_0…')
        .choices(['channel1', 'channel_0'])
        .default('channel1'),
    )
    .addOption(rateOption('messages'))
    .addOption(captureOption())
    .action(
      (opts: {
        bind: string
        frames: number
        channels: number
        naming: 'channel1' | 'channel_0'
        rate: number
        capture?: string
      }) =>
        runSimulator(
          'an AlbaEM electrometer',
          createAlbaemSimulator({
            lingerMs: DELIVER_EVERYTHING,
            bind: opts.bind,
            frames: opts.frames,
            channels: opts.channels,
            naming: opts.naming,
            rateHz: opts.rate,
            ...(opts.capture === undefined ? {} : { capture: opts.capture }),
          }),
        ),
    )
}

/** `beamloom simulate lecroy`. */
export function lecroySimulateCommand(): Command {
  return new Command('lecroy')
    .description(
      'act as a LeCroy oscilloscope bridge: bind a PUB, wait for a subscriber, publish prepare, N sequences (sequence start, f64 traces with trigger timestamps per channel, sequence end) and stop — or replay a raw capture',
    )
    .option('--bind <address>', 'PUB address', 'tcp://127.0.0.1:22004')
    .addOption(framesOption('sequences in the run', 10))
    .addOption(channelsOption(2))
    .addOption(
      new Option('--triggers <n>', 'triggers per sequence').argParser(positiveInt).default(3),
    )
    .addOption(
      new Option('--samples <n>', 'samples per trigger').argParser(positiveInt).default(1000),
    )
    .addOption(
      new Option('--mode <mode>', 'sequential, or continuous (one sequence start for the run)')
        .choices(['sequential', 'continuous'])
        .default('sequential'),
    )
    .addOption(rateOption('zmq messages'))
    .addOption(captureOption())
    .action(
      (opts: {
        bind: string
        frames: number
        channels: number
        triggers: number
        samples: number
        mode: LecroyMode
        rate: number
        capture?: string
      }) =>
        runSimulator(
          'a LeCroy oscilloscope',
          createLecroySimulator({
            lingerMs: DELIVER_EVERYTHING,
            bind: opts.bind,
            frames: opts.frames,
            channels: opts.channels,
            triggers: opts.triggers,
            samples: opts.samples,
            mode: opts.mode,
            rateHz: opts.rate,
            ...(opts.capture === undefined ? {} : { capture: opts.capture }),
          }),
        ),
    )
}

/** `beamloom simulate eiger-v2`. */
export function eigerV2SimulateCommand(): Command {
  return new Command('eiger-v2')
    .description(
      'act as a DECTRIS Eiger (Stream V2): bind a PUSH, send a CBOR start, N images (one tag 40 array per threshold, bslz4/lz4 via tag 56500) and end — or replay a raw capture',
    )
    .option('--bind <address>', 'PUSH address', 'tcp://127.0.0.1:31001')
    .addOption(framesOption('images in the series', 100))
    .addOption(shapeOption())
    .addOption(eigerDtypeOption())
    .addOption(
      new Option('--compression <codec>', 'image compression')
        .choices(['none', 'bslz4', 'lz4'])
        .default('bslz4'),
    )
    .addOption(
      new Option('--thresholds <n>', 'channels (energy thresholds) per image')
        .argParser(positiveInt)
        .default(1),
    )
    .option('--header-detail-all', 'send pixel masks and a countrate table in start')
    .addOption(rateOption('messages'))
    .addOption(captureOption())
    .action(
      (opts: {
        bind: string
        frames: number
        shape: [number, number]
        dtype: 'uint8' | 'uint16' | 'uint32'
        compression: EigerV2SimCompression
        thresholds: number
        headerDetailAll?: boolean
        rate: number
        capture?: string
      }) =>
        runSimulator(
          'an Eiger (stream V2)',
          createEigerV2Simulator({
            lingerMs: DELIVER_EVERYTHING,
            bind: opts.bind,
            frames: opts.frames,
            shape: opts.shape,
            dtype: opts.dtype,
            compression: opts.compression,
            thresholds: opts.thresholds,
            headerDetail: opts.headerDetailAll ? 'all' : 'basic',
            rateHz: opts.rate,
            ...(opts.capture === undefined ? {} : { capture: opts.capture }),
          }),
        ),
    )
}
