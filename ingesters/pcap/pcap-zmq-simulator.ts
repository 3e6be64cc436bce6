import { encodePcapZmqData, encodePcapZmqEnd, encodePcapZmqStart } from '../../src/internal.js'
import {
  createZmqSimulator,
  type DeviceSimulator,
  deviceSimulatorOptions,
} from '../base/zmq-simulator.js'

/** Options of {@link createPcapZmqSimulator}. */
export interface PcapZmqSimulatorOptions {
  /** Where the PUB binds, e.g. `tcp://127.0.0.1:5555` (`:*` for an ephemeral port). */
  readonly bind: string
  /** Rows in the generated series. */
  readonly frames: number
  /** Rows per data message; default 15 (as in the MAX IV recording). */
  readonly batch?: number
  /** zmq messages per second; 0 sends as fast as the receiver takes them. */
  readonly rateHz: number
  /** Replay this raw capture (one zmq message per item) instead, e.g. `pcap-zmq.cbors`. */
  readonly capture?: string
  /** Extra wait after the first subscriber appeared, ms. Default 0. */
  readonly startDelayMs?: number
}

/**
 * The columns of a generated energy scan, as the PCAP Tango device publishes them: integration
 * time, trigger number (from 1), repeat index, monochromator energy (eV, 0.2 eV steps from
 * 8879.1) and an encoder mean.
 */
function columns(from: number, rows: number): Record<string, number[]> {
  const index = Array.from({ length: rows }, (_, k) => from + k)
  return {
    inttime: index.map((i) => 7 - 0.0005 * i),
    triggernumber: index.map((i) => i + 1),
    repeatindex: index.map(() => 1),
    energy: index.map((i) => 8879.1 + 0.2 * i),
    'INENC3.VAL.Mean': index.map((i) => 0.001 * (i % 100)),
  }
}

function* generate(options: PcapZmqSimulatorOptions): Generator<Uint8Array[]> {
  const batch = Math.max(1, options.batch ?? 15)
  let id = 1
  yield encodePcapZmqStart({ messageId: id++, armTime: new Date().toISOString() })
  for (let from = 0; from < options.frames; from += batch) {
    const rows = Math.min(batch, options.frames - from)
    yield encodePcapZmqData({ messageId: id++, frameNumber: from, columns: columns(from, rows) })
  }
  yield encodePcapZmqEnd({ messageId: id })
}

/**
 * Create (not start) a simulator of the PandABox zmq publisher (MAX IV's PCAP Tango device):
 * `start()` binds a publisher; once a subscriber is there it publishes `series-start`, the
 * rows of `frames` in data messages of `batch` rows, and `series-end` at `rateHz` — or
 * replays a raw capture such as `pcap-zmq.cbors`.
 */
export function createPcapZmqSimulator(options: PcapZmqSimulatorOptions): DeviceSimulator {
  return createZmqSimulator({
    name: 'PandABox zmq simulator',
    socket: 'pub',
    ...deviceSimulatorOptions(options, generate),
  })
}
