import { ProtocolError } from '../../errors.js'
import type { StreamData } from '../../protocol/event.js'
import type { DeviceMessage } from '../device-message.js'
import { type PcapColumns, parsePcapAsciiRows, parsePcapBinaryRows } from './pcap-columns.js'
import {
  isPcapHeaderStart,
  type PcapField,
  type PcapHeader,
  parsePcapHeader,
} from './pcap-header.js'

/** The `typ` of PandABox TCP capture streams (as Dranspose names it). */
export const PCAP_RAW_TYP = 'PCAP_RAW'

/** An acquisition starts: the capture header. */
export interface PcapRawStart extends DeviceMessage<'start'> {
  readonly header: PcapHeader
  readonly armTime: string | undefined
  readonly fields: readonly PcapField[]
}

/** One or more samples, as typed columns keyed by `NAME.capture`. */
export interface PcapRawRows extends DeviceMessage<'data'> {
  readonly rows: number
  readonly columns: PcapColumns
  readonly fields: readonly PcapField[]
}

/** `END n reason`. */
export interface PcapRawEnd extends DeviceMessage<'end'> {
  /** Samples PandABox says it sent. */
  readonly samples: number
  /** `Ok`, `Disarmed`, `Data overrun`, … */
  readonly reason: string
}

/** A parsed PandABox TCP capture message, discriminated on `kind`. */
export type PcapRawMessage = PcapRawStart | PcapRawRows | PcapRawEnd

const latin1 = new TextDecoder('latin1')

function firstLine(text: string): string {
  return text.slice(0, text.indexOf('\n') >>> 0).replace(/\r$/, '')
}

/**
 * Decodes sample bytes (ASCII lines, or whole binary samples) with a header's fields.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` quoting a line with the wrong number of values or
 *   a bad value, or for binary data that is not whole samples.
 */
export function parsePcapRows(bytes: Uint8Array, header: PcapHeader): PcapRawRows {
  const { rows, columns } =
    header.format === 'ascii'
      ? parsePcapAsciiRows(latin1.decode(bytes), header.fields)
      : parsePcapBinaryRows(bytes, header.fields, header.sampleBytes)
  return { kind: 'data', rows, columns, fields: header.fields }
}

/**
 * Parses one event's frames of a PandABox TCP stream, as the ingester forwards them:
 * - `[header block]` (starts with `arm_time:` or `missed:`) → `start`;
 * - `[END line]` → `end`;
 * - `[samples]` → `data`, decoded with `header` (the one from the stream's start);
 * - `[header block, samples]` → `data`, self-contained.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` for a wrong part count, a bad header or END line,
 *   samples without a header, or samples that do not match the header (the message quotes
 *   the offending line).
 */
export function parsePcapRawFrames(
  frames: readonly Uint8Array[],
  header?: PcapHeader,
): PcapRawMessage {
  if (frames.length !== 1 && frames.length !== 2) {
    throw new ProtocolError(`PandABox capture message has ${frames.length} parts (expected 1 or 2)`)
  }
  const first = frames[0]!
  if (frames.length === 2) return parsePcapRows(frames[1]!, parsePcapHeader(latin1.decode(first)))
  const head = latin1.decode(first.subarray(0, 64))
  if (isPcapHeaderStart(head)) {
    const parsed = parsePcapHeader(latin1.decode(first))
    return { kind: 'start', header: parsed, armTime: parsed.armTime, fields: parsed.fields }
  }
  if (head.startsWith('END')) {
    const line = firstLine(latin1.decode(first))
    const match = /^END (\d+) (.*)$/.exec(line)
    if (match === null) throw new ProtocolError(`PandABox: cannot read end line '${line}'`)
    return { kind: 'end', samples: Number(match[1]), reason: match[2] ?? '' }
  }
  if (header === undefined) throw new ProtocolError('PandABox samples arrived before any header')
  return parsePcapRows(first, header)
}

/**
 * Parses a PandABox TCP stream event by event, remembering the header of the current
 * acquisition so that sample frames can be decoded (every worker receives the start event,
 * as in Dranspose). Not safe to share between streams.
 */
export class PcapRawParser {
  #header: PcapHeader | undefined

  /** The header of the acquisition seen last, if any. */
  get header(): PcapHeader | undefined {
    return this.#header
  }

  /**
   * Parses one event's frames of this stream (see `parsePcapRawFrames`).
   *
   * @throws ProtocolError `PROTOCOL_INVALID` when `typ` is not `PCAP_RAW`, and everything
   *   `parsePcapRawFrames` throws.
   */
  parse(stream: StreamData): PcapRawMessage {
    if (stream.typ !== PCAP_RAW_TYP) {
      throw new ProtocolError(`expected a ${PCAP_RAW_TYP} stream, got typ '${stream.typ}'`)
    }
    const message = parsePcapRawFrames(stream.frames, this.#header)
    if (message.kind === 'start') this.#header = message.header
    return message
  }
}
