import { Command, InvalidArgumentError, Option } from 'commander'
import { parseMesh, parseMotors } from '../../ingesters/contrast/contrast-device.js'
import { createContrastIngester } from '../../ingesters/contrast/contrast-ingester.js'
import { createContrastSimulator } from '../../ingesters/contrast/contrast-simulator.js'
import { isBeamloomError } from '../../src/index.js'
import { deviceCommand } from './ingester.js'
import { DELIVER_EVERYTHING, nonNegativeInt, rate, runSimulator } from './simulate.js'

/** `beamloom ingester contrast`. */
export function contrastIngesterCommand(): Command {
  return deviceCommand(
    'contrast',
    'ingest Contrast (MAX IV scan control): SUBscribe to its PUB of pickled dicts; started, each running point and finished/interrupted become events, heartbeats are skipped',
    "Contrast's PUB endpoint, e.g. tcp://contrast:5556",
    (config, url, deps) => createContrastIngester(config, { url }, deps),
  )
}

interface ContrastSimOptions {
  bind: string
  mesh: [number, number]
  frames?: number
  motors: [string, string]
  heartbeat: number
  rate: number
  capture?: string
}

function meshArg(text: string): [number, number] {
  try {
    return parseMesh(text)
  } catch (err) {
    if (isBeamloomError(err)) throw new InvalidArgumentError(err.message)
    throw err
  }
}

function motorsArg(text: string): [string, string] {
  try {
    return parseMotors(text)
  } catch (err) {
    if (isBeamloomError(err)) throw new InvalidArgumentError(err.message)
    throw err
  }
}

/** `beamloom simulate contrast`. */
export function contrastSimulateCommand(): Command {
  return new Command('contrast')
    .description(
      'act as Contrast: bind a PUB, wait for a subscriber, publish pickled dicts — a heartbeat, started (a mesh over two motors), one running point per mesh position with heartbeats between, finished — or replay a raw capture',
    )
    .option('--bind <address>', 'PUB address', 'tcp://127.0.0.1:5556')
    .addOption(
      new Option('--mesh <slow>x<fast>', 'points along the slow and the fast motor')
        .argParser(meshArg)
        .default([4, 5], '4x5'),
    )
    .addOption(
      new Option(
        '--frames <n>',
        'points to send (fewer than the mesh: the scan is interrupted)',
      ).argParser(nonNegativeInt),
    )
    .addOption(
      new Option('--motors <slow,fast>', 'the two motors')
        .argParser(motorsArg)
        .default(['sx', 'sy'], 'sx,sy'),
    )
    .addOption(
      new Option('--heartbeat <n>', 'a heartbeat after every n points, 0 for none')
        .argParser(nonNegativeInt)
        .default(10),
    )
    .addOption(
      new Option('--rate <hz>', 'messages per second, 0 = as fast as possible')
        .argParser(rate)
        .default(10),
    )
    .option('--capture <file>', 'replay this raw capture (one zmq message per item) instead')
    .action((opts: ContrastSimOptions) =>
      runSimulator(
        'Contrast',
        createContrastSimulator({
          lingerMs: DELIVER_EVERYTHING,
          bind: opts.bind,
          mesh: opts.mesh,
          motors: opts.motors,
          heartbeatEvery: opts.heartbeat,
          rateHz: opts.rate,
          ...(opts.frames === undefined ? {} : { frames: opts.frames }),
          ...(opts.capture === undefined ? {} : { capture: opts.capture }),
        }),
      ),
    )
}
