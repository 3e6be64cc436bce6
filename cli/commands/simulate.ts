import { Command, InvalidArgumentError, Option } from 'commander'
import type { DeviceSimulator } from '../../ingesters/base/zmq-simulator.js'
import { createEigerLegacySimulator } from '../../ingesters/eiger-legacy/eiger-legacy-simulator.js'
import { splitH5 } from '../../ingesters/stins/stins-device.js'
import { createStinsSimulator } from '../../ingesters/stins/stins-simulator.js'
import { createXspress3Simulator } from '../../ingesters/xspress3/xspress3-simulator.js'
import { ConfigError, DTYPE_NAMES, type DtypeName, runWithSignals } from '../../src/index.js'
import { contrastSimulateCommand } from './contrast-commands.js'
import {
  albaemSimulateCommand,
  eigerV2SimulateCommand,
  lecroySimulateCommand,
} from './more-devices-commands.js'
import { pcapSimulateCommand, pcapZmqSimulateCommand } from './pcap-commands.js'
import { sardanaSimulateCommand } from './sardana-commands.js'

export function nonNegativeInt(text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number ≥ 0')
  return n
}

export function rate(text: string): number {
  const n = Number(text)
  if (!Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError('expected a rate ≥ 0 (0: as fast as possible)')
  return n
}

export function shape(text: string): [number, number] {
  const dims = text.split(',').map((d) => Number(d.trim()))
  if (dims.length !== 2 || !dims.every((d) => Number.isInteger(d) && d > 0)) {
    throw new InvalidArgumentError('expected rows,cols such as 64,64')
  }
  return [dims[0]!, dims[1]!]
}

interface StinsOptions {
  bind: string
  frames: number
  shape: [number, number]
  dtype: DtypeName
  rate: number
  bslz4?: boolean
  capture?: string
  filename?: string
  h5?: string
  fromH5?: string
  loop?: boolean
}

function runStins(opts: StinsOptions, command: Command): Promise<void> {
  const h5Text = opts.h5 ?? opts.fromH5
  const h5 = h5Text === undefined ? undefined : splitH5(h5Text)
  if (h5 !== undefined && opts.capture !== undefined) {
    throw new ConfigError('give --h5 or --capture, not both')
  }
  // With a stack, the series is the stack unless --frames says otherwise.
  const frames =
    h5 !== undefined && command.getOptionValueSource('frames') === 'default' ? 0 : opts.frames
  return runSimulator(
    h5 === undefined ? 'STINS' : `STINS from ${h5Text}`,
    createStinsSimulator({
      lingerMs: DELIVER_EVERYTHING,
      bind: opts.bind,
      frames,
      shape: opts.shape,
      dtype: opts.dtype,
      rateHz: opts.rate,
      compression: opts.bslz4 ? 'bslz4' : 'none',
      loop: opts.loop === true,
      ...(h5 === undefined ? {} : { h5 }),
      ...(opts.capture === undefined ? {} : { capture: opts.capture }),
      ...(opts.filename === undefined ? {} : { filename: opts.filename }),
    }),
  )
}

interface EigerLegacyOptions {
  bind: string
  frames: number
  shape: [number, number]
  dtype: 'uint8' | 'uint16' | 'uint32'
  rate: number
  capture?: string
}

interface Xspress3Options {
  bind: string
  frames: number
  channels: number
  bins: number
  rate: number
  threeMessages?: boolean
  capture?: string
  filename?: string
}

/**
 * zmq linger of the command-line simulators: -1, deliver everything queued before exiting, as a
 * detector keeps its frames until the receiver has taken them (a slow pipeline back-pressures
 * the simulator; it must not drop the tail of the series when it is done sending). A second
 * signal still stops it at once.
 */
export const DELIVER_EVERYTHING = -1

/** Run a simulator until it sent everything (or a signal), reporting on stderr. */
export async function runSimulator(what: string, simulator: DeviceSimulator): Promise<void> {
  // Once everything is queued, a graceful close delivers it (zmq linger) and ends the command.
  void simulator.done.then(() => simulator.close())
  process.exitCode = await runWithSignals(simulator, {
    drainTimeoutMs: 10_000,
    onEvent: (event) => {
      if (event.kind === 'started') {
        process.stderr.write(
          `simulating ${what} on ${simulator.endpoint}; waiting for a receiver\n`,
        )
      } else if (event.kind === 'closed') {
        const error = event.error ? ` (${event.error.message})` : ''
        process.stderr.write(`sent ${simulator.sentMessages} messages${error}\n`)
      }
    },
  })
}

export function positiveInt(text: string): number {
  const n = nonNegativeInt(text)
  if (n === 0) throw new InvalidArgumentError('expected a whole number ≥ 1')
  return n
}

/** `--rate <hz>`: `what` (`messages`, `zmq messages`) per second, default 100. */
export function rateOption(what: string): Option {
  return new Option('--rate <hz>', `${what} per second, 0 = as fast as possible`)
    .argParser(rate)
    .default(100)
}

/** `--frames <n>` (a whole number ≥ 0) of a simulated series. */
export function framesOption(description: string, frames: number): Option {
  return new Option('--frames <n>', description).argParser(nonNegativeInt).default(frames)
}

/** `--channels <n>` (a whole number ≥ 1). */
export function channelsOption(channels: number): Option {
  return new Option('--channels <n>', 'channels').argParser(positiveInt).default(channels)
}

/** `--shape <rows,cols>` of simulated images, default 64,64. */
export function shapeOption(): Option {
  return new Option('--shape <rows,cols>', 'image shape')
    .argParser(shape)
    .default([64, 64], '64,64')
}

/** `--dtype <type>` of a simulated Eiger's pixels: uint8, uint16 or uint32 (default). */
export function eigerDtypeOption(): Option {
  return new Option('--dtype <type>', 'pixel type')
    .choices(['uint8', 'uint16', 'uint32'])
    .default('uint32')
}

/** `--capture <file>`: replay a raw capture instead of generating. */
export function captureOption(): Option {
  return new Option(
    '--capture <file>',
    'replay this raw capture (one zmq message per item) instead',
  )
}

/** `beamloom simulate <device>`: play a device's wire protocol. */
export function simulateCommand(): Command {
  const stins = new Command('stins')
    .description(
      'act as a STINS detector: bind a PUSH, send a header, N images (Poisson background, moving spot, or the frames of an HDF5 stack) and series_end — or replay a raw capture',
    )
    .option('--bind <address>', 'PUSH address', 'tcp://127.0.0.1:9999')
    .addOption(framesOption('images in the series', 100))
    .addOption(shapeOption())
    .addOption(new Option('--dtype <type>', 'pixel type').choices(DTYPE_NAMES).default('uint16'))
    .addOption(rateOption('messages'))
    .option('--bslz4', 'compress images with bitshuffle-LZ4')
    .addOption(captureOption())
    .option(
      '--h5 <file[:dataset]>',
      'stream the frames of an HDF5 stack (EIGER master, NeXus, bitshuffle-LZ4/LZ4/gzip chunks) instead of generated images; --frames then defaults to the whole stack (more cycles it)',
    )
    .addOption(new Option('--from-h5 <file[:dataset]>', 'the same as --h5').hideHelp())
    .option('--loop', 'send the series again and again until interrupted')
    .option('--filename <name>', 'filename announced in the header')
    .action(runStins)
  const eigerLegacy = new Command('eiger-legacy')
    .description(
      'act as a DECTRIS Eiger (Stream V1): bind a PUSH, send a dheader-1.0, N bs-lz4 images and dseries_end-1.0 — or replay a raw capture',
    )
    .option('--bind <address>', 'PUSH address', 'tcp://127.0.0.1:9999')
    .addOption(framesOption('images in the series', 100))
    .addOption(shapeOption())
    .addOption(eigerDtypeOption())
    .addOption(rateOption('messages'))
    .addOption(captureOption())
    .action((opts: EigerLegacyOptions) =>
      runSimulator(
        'an Eiger (stream V1)',
        createEigerLegacySimulator({
          lingerMs: DELIVER_EVERYTHING,
          bind: opts.bind,
          frames: opts.frames,
          shape: opts.shape,
          dtype: opts.dtype,
          rateHz: opts.rate,
          ...(opts.capture === undefined ? {} : { capture: opts.capture }),
        }),
      ),
    )
  const xspress3 = new Command('xspress3')
    .description(
      'act as an Xspress3: bind a PUB, wait for a subscriber, publish a header, N frames (JSON, spectra, pickled metadata) and series_end — or replay a raw capture',
    )
    .option('--bind <address>', 'PUB address', 'tcp://127.0.0.1:9999')
    .addOption(framesOption('frames in the series', 100))
    .addOption(channelsOption(4))
    .addOption(new Option('--bins <n>', 'bins per channel').argParser(positiveInt).default(4096))
    .addOption(rateOption('zmq messages'))
    .option(
      '--three-messages',
      'send each frame as three one-part messages (2021 device) instead of one three-part message',
    )
    .addOption(captureOption())
    .option('--filename <name>', 'filename announced in the header')
    .action((opts: Xspress3Options) =>
      runSimulator(
        'an Xspress3',
        createXspress3Simulator({
          lingerMs: DELIVER_EVERYTHING,
          bind: opts.bind,
          frames: opts.frames,
          channels: opts.channels,
          bins: opts.bins,
          rateHz: opts.rate,
          form: opts.threeMessages ? 'three-messages' : 'multipart',
          ...(opts.capture === undefined ? {} : { capture: opts.capture }),
          ...(opts.filename === undefined ? {} : { filename: opts.filename }),
        }),
      ),
    )
  return new Command('simulate')
    .description('simulate a device, speaking its wire protocol, for tests and demos')
    .addCommand(stins)
    .addCommand(eigerLegacy)
    .addCommand(xspress3)
    .addCommand(albaemSimulateCommand())
    .addCommand(lecroySimulateCommand())
    .addCommand(eigerV2SimulateCommand())
    .addCommand(contrastSimulateCommand())
    .addCommand(sardanaSimulateCommand())
    .addCommand(pcapSimulateCommand())
    .addCommand(pcapZmqSimulateCommand())
}
