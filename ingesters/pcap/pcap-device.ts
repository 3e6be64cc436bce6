import { ConfigError } from '../../src/internal.js'
import { checkSimulatorOptions, type DeviceType, intOption } from '../base/device-type.js'
import { pcapIngest, pcapSimulate, pcapZmqIngest, pcapZmqSimulate } from './pcap-commands.js'
import { parsePcapTcpUrl } from './pcap-tcp-options.js'
import { createPcapTcpSimulator } from './pcap-tcp-simulator.js'
import { createPcapTcpUpstreamFactory } from './pcap-tcp-upstream.js'
import { createPcapZmqSimulator } from './pcap-zmq-simulator.js'
import { createPcapZmqUpstreamFactory, parsePcapZmqUrl } from './pcap-zmq-upstream.js'

/** Sample numbers from `1;5;9` (a device option cannot hold commas). */
function rowList(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined
  const rows = text
    .split(/[;\s]+/)
    .filter((t) => t !== '')
    .map(Number)
  if (!rows.every((r) => Number.isInteger(r) && r >= 0)) {
    throw new ConfigError(`simulator option bad-rows=${text}: expected sample numbers like 3;7`)
  }
  return rows
}

/**
 * The PandABox data port (TCP 8889) for the registry. The ingester's address may carry
 * `?options=FRAMED+SCALED&header=each&lostAfterMs=2000` (see `parsePcapTcpUrl`).
 */
export const pcapDevice: DeviceType = {
  name: 'pcap',
  summary: 'PandABox position capture, TCP data port 8889 (ASCII or binary), one event per sample',
  binds: 'device',
  simulatorOptions: {
    fields:
      'captured fields, separated by ; (default PCAP.TS_TRIGGER;COUNTER1.OUT;INENC1.VAL;PCAP.BITS0)',
    acquisitions: 'acquisitions to play, one per connection (default 1)',
    'drop-after': 'drop the first connection after this many samples, without END',
    'bad-rows': 'samples sent with a value missing (ASCII), separated by ;',
  },
  upstream: (url) => createPcapTcpUpstreamFactory(parsePcapTcpUrl(url)),
  simulator(spec) {
    checkSimulatorOptions(pcapDevice, spec)
    const fields = spec.options.fields?.split(';').filter((f) => f !== '')
    const dropAfter = spec.options['drop-after']
    const badRows = rowList(spec.options['bad-rows'])
    return createPcapTcpSimulator({
      bind: spec.bind,
      frames: spec.frames,
      rateHz: spec.rateHz,
      acquisitions: intOption(spec, 'acquisitions', 1),
      ...(fields === undefined ? {} : { fields }),
      ...(dropAfter === undefined ? {} : { dropAfterRows: intOption(spec, 'drop-after', 0, 0) }),
      ...(badRows === undefined ? {} : { badRows }),
      ...(spec.capture === undefined ? {} : { capture: spec.capture }),
    })
  },
  ingest: pcapIngest,
  simulate: pcapSimulate,
}

/**
 * The PandABox zmq JSON envelope (MAX IV's PCAP Tango device, PUB) for the registry. The
 * ingester's address may carry `?events=batches` (one event per message instead of per row).
 */
export const pcapZmqDevice: DeviceType = {
  name: 'pcap-zmq',
  summary: 'PandABox position capture via the zmq JSON envelope (PUB), one event per row',
  binds: 'device',
  simulatorOptions: { batch: 'rows per data message (default 15)' },
  upstream: (url) => createPcapZmqUpstreamFactory(parsePcapZmqUrl(url)),
  simulator(spec) {
    checkSimulatorOptions(pcapZmqDevice, spec)
    return createPcapZmqSimulator({
      bind: spec.bind,
      frames: spec.frames,
      rateHz: spec.rateHz,
      batch: intOption(spec, 'batch', 15),
      ...(spec.capture === undefined ? {} : { capture: spec.capture }),
    })
  },
  ingest: pcapZmqIngest,
  simulate: pcapZmqSimulate,
}
