import { Command, InvalidArgumentError, Option } from 'commander'
import { createPcapIngester, createPcapZmqIngester } from '../../ingesters/pcap/pcap-ingester.js'
import { checkCaptureOptions, parsePcapTcpUrl } from '../../ingesters/pcap/pcap-tcp-options.js'
import { createPcapTcpSimulator } from '../../ingesters/pcap/pcap-tcp-simulator.js'
import { createPcapZmqSimulator } from '../../ingesters/pcap/pcap-zmq-simulator.js'
import { parsePcapZmqUrl } from '../../ingesters/pcap/pcap-zmq-upstream.js'
import { isBeamloomError } from '../../src/index.js'
import { deviceCommand } from './ingester.js'
import { nonNegativeInt, positiveInt, rate, runSimulator } from './simulate.js'

interface PcapIngesterOptions {
  captureOptions?: string
  header?: 'first' | 'each'
}

function captureOptionsArg(text: string): string {
  try {
    return checkCaptureOptions(text)
  } catch (err) {
    if (isBeamloomError(err)) throw new InvalidArgumentError(err.message)
    throw err
  }
}

/** `beamloom ingester pcap`: the PandABox data port (TCP). */
export function pcapIngesterCommand(): Command {
  const command: Command = deviceCommand(
    'pcap',
    'ingest a PandABox data port (TCP 8889): send the capture options, then forward the header, one event per sample, and END',
    'the data port, tcp://panda:8889 (may carry ?options=FRAMED+SCALED&header=each&lostAfterMs=2000)',
    (config, url, deps) => {
      const opts = command.opts<PcapIngesterOptions>()
      const upstream = parsePcapTcpUrl(url, {
        ...(opts.captureOptions === undefined ? {} : { captureOptions: opts.captureOptions }),
        ...(opts.header === undefined ? {} : { header: opts.header }),
      })
      return createPcapIngester(config, upstream, deps)
    },
  )
  return command
    .addOption(
      new Option(
        '--capture-options <line>',
        'capture options line sent on connecting: ASCII|FRAMED|UNFRAMED and SCALED|UNSCALED|RAW (default: empty line, ASCII SCALED, as Dranspose)',
      ).argParser(captureOptionsArg),
    )
    .addOption(
      new Option(
        '--header <when>',
        'first: the header only in the start event (Dranspose); each: every sample event is [header, sample]',
      ).choices(['first', 'each']),
    )
}

/** `beamloom ingester pcap-zmq`: the PandABox zmq JSON envelope. */
export function pcapZmqIngesterCommand(): Command {
  const command: Command = deviceCommand(
    'pcap-zmq',
    'ingest the PandABox zmq JSON envelope (PCAP Tango device): SUBscribe to its PUB; series-start, one event per row (or per message) and series-end',
    "the publisher's endpoint, tcp://pcap:5555 (may carry ?events=batches)",
    (config, url, deps) => {
      const parsed = parsePcapZmqUrl(url)
      const events = command.opts<{ events?: 'rows' | 'batches' }>().events
      return createPcapZmqIngester(
        config,
        { ...parsed, ...(events === undefined ? {} : { events }) },
        deps,
      )
    },
  )
  return command.addOption(
    new Option(
      '--events <per>',
      'rows: one event per row, batches split (Dranspose); batches: one event per data message, untouched',
    ).choices(['rows', 'batches']),
  )
}

interface PcapTcpSimOptions {
  bind: string
  frames: number
  rate: number
  fields: string
  acquisitions: number
  dropAfter?: number
  badRows?: number[]
  capture?: string
}

function rowsArg(text: string): number[] {
  const rows = text.split(',').map((t) => Number(t.trim()))
  if (!rows.every((r) => Number.isInteger(r) && r >= 0)) {
    throw new InvalidArgumentError('expected sample numbers such as 3,7')
  }
  return rows
}

/** `beamloom simulate pcap`: a PandABox data port. */
export function pcapSimulateCommand(): Command {
  return new Command('pcap')
    .description(
      'act as a PandABox data port: listen on TCP, read each client options line, answer OK, send a header, N samples (ASCII, FRAMED or UNFRAMED, as asked) and END — or replay a capture',
    )
    .option('--bind <address>', 'listen address', 'tcp://127.0.0.1:8889')
    .addOption(
      new Option('--frames <n>', 'samples per acquisition').argParser(nonNegativeInt).default(100),
    )
    .addOption(
      new Option('--rate <hz>', 'samples per second, 0 = as fast as possible')
        .argParser(rate)
        .default(100),
    )
    .option(
      '--fields <names>',
      'captured fields, comma separated',
      'PCAP.TS_TRIGGER,COUNTER1.OUT,INENC1.VAL,PCAP.BITS0',
    )
    .addOption(
      new Option('--acquisitions <n>', 'acquisitions to play, one per client connection')
        .argParser(positiveInt)
        .default(1),
    )
    .addOption(
      new Option(
        '--drop-after <n>',
        'drop the first connection after n samples, without END',
      ).argParser(nonNegativeInt),
    )
    .addOption(
      new Option(
        '--bad-rows <list>',
        'samples sent with a value missing (ASCII), e.g. 3,7',
      ).argParser(rowsArg),
    )
    .option(
      '--capture <file>',
      'replay a data-port byte stream, or the rows of a zmq raw capture (pcap-zmq.cbors)',
    )
    .action((opts: PcapTcpSimOptions) =>
      runSimulator(
        'a PandABox data port',
        createPcapTcpSimulator({
          bind: opts.bind,
          frames: opts.frames,
          rateHz: opts.rate,
          fields: opts.fields.split(',').map((f) => f.trim()),
          acquisitions: opts.acquisitions,
          ...(opts.dropAfter === undefined ? {} : { dropAfterRows: opts.dropAfter }),
          ...(opts.badRows === undefined ? {} : { badRows: opts.badRows }),
          ...(opts.capture === undefined ? {} : { capture: opts.capture }),
        }),
      ),
    )
}

interface PcapZmqSimOptions {
  bind: string
  frames: number
  batch: number
  rate: number
  capture?: string
}

/** `beamloom simulate pcap-zmq`: the PandABox zmq publisher. */
export function pcapZmqSimulateCommand(): Command {
  return new Command('pcap-zmq')
    .description(
      'act as the PandABox zmq publisher (PCAP Tango device): bind a PUB, wait for a subscriber, publish series-start, N rows in JSON data messages and series-end — or replay a raw capture',
    )
    .option('--bind <address>', 'PUB address', 'tcp://127.0.0.1:5555')
    .addOption(
      new Option('--frames <n>', 'rows in the series').argParser(nonNegativeInt).default(150),
    )
    .addOption(
      new Option('--batch <n>', 'rows per data message').argParser(positiveInt).default(15),
    )
    .addOption(
      new Option('--rate <hz>', 'zmq messages per second, 0 = as fast as possible')
        .argParser(rate)
        .default(100),
    )
    .option('--capture <file>', 'replay this raw capture (one zmq message per item) instead')
    .action((opts: PcapZmqSimOptions) =>
      runSimulator(
        'the PandABox zmq publisher',
        createPcapZmqSimulator({
          bind: opts.bind,
          frames: opts.frames,
          batch: opts.batch,
          rateHz: opts.rate,
          ...(opts.capture === undefined ? {} : { capture: opts.capture }),
        }),
      ),
    )
}
