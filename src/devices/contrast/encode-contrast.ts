import { PickleFloat, type PickleWritable, writePickle } from '../../codec/pickle-writer.js'

/** Fields of a `started` or `finished` message. */
export interface ContrastScanInfo {
  readonly scannr: number
  readonly path: string
  /** The scan command, e.g. `mesh sx -2 2 3 sy -2 2 4 0.1`. */
  readonly description: string
  /** Motor positions; written as floats. */
  readonly snapshot?: Readonly<Record<string, number>>
}

/** Input of `encodeContrastMessage`, mirroring the parser's output kinds. */
export type ContrastInput =
  | { readonly kind: 'heartbeat' }
  | ({ readonly kind: 'start' } & ContrastScanInfo)
  | {
      readonly kind: 'data'
      /** Seconds since the scan started. */
      readonly dt: number
      /** Motor positions, written as floats, e.g. `{ sx: -2, sy: 1.5 }`. */
      readonly positions: Readonly<Record<string, number>>
      /** Detector entries (dicts of `toNumpyArray(…)`s, links, …), written as given. */
      readonly detectors?: Readonly<Record<string, PickleWritable>>
    }
  | ({ readonly kind: 'end'; readonly reason: 'finished' | 'interrupted' } & ContrastScanInfo)

function floats(values: Readonly<Record<string, number>>): Record<string, PickleFloat> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, new PickleFloat(v)]))
}

function scanInfo(status: string, info: ContrastScanInfo): PickleWritable {
  return {
    scannr: info.scannr,
    status,
    path: info.path,
    snapshot: floats(info.snapshot ?? {}),
    description: info.description,
  }
}

/**
 * Builds the one zmq part of a Contrast message, as Contrast writes it: heartbeats as
 * protocol-4 dicts, scan messages as protocol-2 dicts, scan points as protocol-2
 * `OrderedDict`s with positions first, then detectors, `dt` and `status`.
 */
export function encodeContrastMessage(input: ContrastInput): Uint8Array[] {
  switch (input.kind) {
    case 'heartbeat':
      return [writePickle({ status: 'heartbeat' }, { protocol: 4 })]
    case 'start':
      return [writePickle(scanInfo('started', input), { protocol: 2 })]
    case 'data': {
      const point: Record<string, PickleWritable> = {
        ...floats(input.positions),
        ...input.detectors,
        dt: new PickleFloat(input.dt),
        status: 'running',
      }
      return [writePickle(point, { protocol: 2, orderedDict: true })]
    }
    case 'end':
      return [writePickle(scanInfo(input.reason, input), { protocol: 2 })]
  }
}
