import type { IngestCommand, SimulateCommand } from '../base/device-command.js'
import { bindOption, captureOption } from '../base/device-options.js'
import { checkCaptureOptions, parsePcapTcpUrl } from './pcap-tcp-options.js'
import { createPcapTcpSimulator } from './pcap-tcp-simulator.js'
import { createPcapTcpUpstreamFactory } from './pcap-tcp-upstream.js'
import { createPcapZmqSimulator } from './pcap-zmq-simulator.js'
import { createPcapZmqUpstreamFactory, parsePcapZmqUrl } from './pcap-zmq-upstream.js'

/** `beamloom ingester pcap`: the PandABox data port (TCP), with its capture options. */
export const pcapIngest: IngestCommand = {
  description:
    'ingest a PandABox data port (TCP 8889): send the capture options, then forward the header, one event per sample, and END',
  upstreamHelp:
    'the data port, tcp://panda:8889 (may carry ?options=FRAMED+SCALED&header=each&lostAfterMs=2000)',
  options: [
    {
      flags: '--capture-options <line>',
      description:
        'capture options line sent on connecting: ASCII|FRAMED|UNFRAMED and SCALED|UNSCALED|RAW (default: empty line, ASCII SCALED, as Dranspose)',
      parse: checkCaptureOptions,
    },
    {
      flags: '--header <when>',
      description:
        'first: the header only in the start event (Dranspose); each: every sample event is [header, sample]',
      choices: ['first', 'each'],
    },
  ],
  upstream(url, values) {
    const captureOptions = values.string('capture-options')
    const header = values.string('header')
    return createPcapTcpUpstreamFactory(
      parsePcapTcpUrl(url, {
        ...(captureOptions === undefined ? {} : { captureOptions }),
        ...(header === 'first' || header === 'each' ? { header } : {}),
      }),
    )
  },
}

/** `beamloom simulate pcap`: a PandABox data port. */
export const pcapSimulate: SimulateCommand = {
  description:
    'act as a PandABox data port: listen on TCP, read each client options line, answer OK, send a header, N samples (ASCII, FRAMED or UNFRAMED, as asked) and END — or replay a capture',
  options: [
    bindOption('listen address', 'tcp://127.0.0.1:8889'),
    {
      flags: '--frames <n>',
      description: 'samples per acquisition',
      parse: 'nonNegativeInt',
      default: 100,
    },
    {
      flags: '--rate <hz>',
      description: 'samples per second, 0 = as fast as possible',
      parse: 'rate',
      default: 100,
    },
    {
      flags: '--fields <names>',
      description: 'captured fields, comma separated',
      default: 'PCAP.TS_TRIGGER,COUNTER1.OUT,INENC1.VAL,PCAP.BITS0',
    },
    {
      flags: '--acquisitions <n>',
      description: 'acquisitions to play, one per client connection',
      parse: 'positiveInt',
      default: 1,
    },
    {
      flags: '--drop-after <n>',
      description: 'drop the first connection after n samples, without END',
      parse: 'nonNegativeInt',
    },
    {
      flags: '--bad-rows <list>',
      description: 'samples sent with a value missing (ASCII), e.g. 3,7',
      parse: 'rows',
    },
    captureOption(
      'replay a data-port byte stream, or the rows of a zmq raw capture (pcap-zmq.cbors)',
    ),
  ],
  create(values) {
    const dropAfter = values.number('drop-after')
    const badRows = values.numbers('bad-rows')
    const capture = values.string('capture')
    return {
      what: 'a PandABox data port',
      simulator: createPcapTcpSimulator({
        bind: values.requireString('bind'),
        frames: values.requireNumber('frames'),
        rateHz: values.requireNumber('rate'),
        fields: values
          .requireString('fields')
          .split(',')
          .map((f) => f.trim()),
        acquisitions: values.requireNumber('acquisitions'),
        ...(dropAfter === undefined ? {} : { dropAfterRows: dropAfter }),
        ...(badRows === undefined ? {} : { badRows: [...badRows] }),
        ...(capture === undefined ? {} : { capture }),
      }),
    }
  },
}

/** `beamloom ingester pcap-zmq`: the PandABox zmq JSON envelope. */
export const pcapZmqIngest: IngestCommand = {
  description:
    'ingest the PandABox zmq JSON envelope (PCAP Tango device): SUBscribe to its PUB; series-start, one event per row (or per message) and series-end',
  upstreamHelp: "the publisher's endpoint, tcp://pcap:5555 (may carry ?events=batches)",
  options: [
    {
      flags: '--events <per>',
      description:
        'rows: one event per row, batches split (Dranspose); batches: one event per data message, untouched',
      choices: ['rows', 'batches'],
    },
  ],
  upstream(url, values) {
    const events = values.string('events')
    return createPcapZmqUpstreamFactory({
      ...parsePcapZmqUrl(url),
      ...(events === 'rows' || events === 'batches' ? { events } : {}),
    })
  },
}

/** `beamloom simulate pcap-zmq`: the PandABox zmq publisher. */
export const pcapZmqSimulate: SimulateCommand = {
  description:
    'act as the PandABox zmq publisher (PCAP Tango device): bind a PUB, wait for a subscriber, publish series-start, N rows in JSON data messages and series-end — or replay a raw capture',
  options: [
    bindOption('PUB address', 'tcp://127.0.0.1:5555'),
    {
      flags: '--frames <n>',
      description: 'rows in the series',
      parse: 'nonNegativeInt',
      default: 150,
    },
    {
      flags: '--batch <n>',
      description: 'rows per data message',
      parse: 'positiveInt',
      default: 15,
    },
    {
      flags: '--rate <hz>',
      description: 'zmq messages per second, 0 = as fast as possible',
      parse: 'rate',
      default: 100,
    },
    captureOption(),
  ],
  create(values) {
    const capture = values.string('capture')
    return {
      what: 'the PandABox zmq publisher',
      simulator: createPcapZmqSimulator({
        bind: values.requireString('bind'),
        frames: values.requireNumber('frames'),
        batch: values.requireNumber('batch'),
        rateHz: values.requireNumber('rate'),
        ...(capture === undefined ? {} : { capture }),
      }),
    }
  },
}
