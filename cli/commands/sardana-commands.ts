import { Command, Option } from 'commander'
import { createSardanaIngester } from '../../ingesters/sardana/sardana-ingester.js'
import { createSardanaSimulator } from '../../ingesters/sardana/sardana-simulator.js'
import { deviceCommand } from './ingester.js'
import { nonNegativeInt, rate, runSimulator } from './simulate.js'

/** `beamloom ingester sardana`: `--upstream` is where it listens; `--token` guards the POSTs. */
export function sardanaIngesterCommand(): Command {
  const command: Command = deviceCommand(
    'sardana',
    "ingest Sardana: listen for its recorder's POSTs (/v1/data_desc, /v1/record_data, /v1/record_end) for as long as the ingester runs; each body is one frame",
    'where to listen for Sardana, e.g. http://0.0.0.0:5002',
    (config, url, deps) => {
      const token = (command.opts() as { token?: string }).token ?? process.env.INGESTER_TOKEN
      return createSardanaIngester(config, { url, token }, deps)
    },
  )
  return command.option(
    '--token <token>',
    'bearer token every POST must carry; unset: no check [INGESTER_TOKEN]',
  )
}

interface SardanaSimOptions {
  target: string
  frames: number
  motor: string
  counters: number
  rate: number
  token?: string
}

/** `beamloom simulate sardana`. */
export function sardanaSimulateCommand(): Command {
  return new Command('sardana')
    .description(
      "act as Sardana's recorder: POST a data description, N records (motor position, counters) and a record end to a Sardana ingester",
    )
    .option('--target <url>', 'the Sardana ingester', 'http://127.0.0.1:5002')
    .addOption(
      new Option('--frames <n>', 'records of the scan').argParser(nonNegativeInt).default(10),
    )
    .option('--motor <name>', 'the scanned motor', 'mot01')
    .addOption(
      new Option('--counters <n>', 'counters per record').argParser(nonNegativeInt).default(2),
    )
    .addOption(
      new Option('--rate <hz>', 'POSTs per second, 0 = as fast as answered')
        .argParser(rate)
        .default(10),
    )
    .option('--token <token>', 'bearer token the ingester wants [INGESTER_TOKEN]')
    .action((opts: SardanaSimOptions) =>
      runSimulator(
        'Sardana',
        createSardanaSimulator({
          target: opts.target,
          frames: opts.frames,
          motor: opts.motor,
          counters: opts.counters,
          rateHz: opts.rate,
          token: opts.token ?? process.env.INGESTER_TOKEN,
        }),
      ),
    )
}
