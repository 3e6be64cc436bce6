import { parseJsonBytes } from '../../codec/json-bytes.js'
import { formatIssues } from '../../config/format-issues.js'
import { ProtocolError } from '../../errors.js'
import type { StreamData } from '../../protocol/event.js'
import type { DeviceMessage } from '../device-message.js'
import {
  PCAP_ZMQ_PROTOCOL_FIELDS,
  type PcapZmqDataJson,
  type PcapZmqEndJson,
  PcapZmqJson,
  type PcapZmqStartJson,
} from './pcap-zmq-messages.js'

/** The `typ` of PandABox zmq streams (as Dranspose names it). */
export const PCAP_TYP = 'PCAP'

/** `series-start`. */
export interface PcapZmqStart extends DeviceMessage<'start'> {
  readonly messageId: number
  /** ISO 8601, as sent. */
  readonly armTime: string
  readonly header: PcapZmqStartJson
}

/** `data`: a batch of rows as Float64Array columns, in wire order. */
export interface PcapZmqRows extends DeviceMessage<'data'> {
  readonly messageId: number
  /** Frame number of the first row; row `i` is frame `frameNumber + i`. */
  readonly frameNumber: number
  readonly rows: number
  /** Column names in wire order, e.g. `energy`, `INENC3.VAL.Mean`. */
  readonly fields: readonly string[]
  readonly columns: Readonly<Record<string, Float64Array>>
  /** Scalar fields that are not columns (batches only). */
  readonly extra: Readonly<Record<string, unknown>>
  readonly header: PcapZmqDataJson
}

/** `series-end`. */
export interface PcapZmqEnd extends DeviceMessage<'end'> {
  readonly messageId: number
  readonly header: PcapZmqEndJson
}

/** A parsed PandABox zmq message, discriminated on `kind`. */
export type PcapZmqMessage = PcapZmqStart | PcapZmqRows | PcapZmqEnd

function numbers(name: string, values: readonly unknown[]): Float64Array {
  const column = new Float64Array(values.length)
  values.forEach((v, i) => {
    if (typeof v !== 'number') {
      throw new ProtocolError(
        `PandABox zmq data: column '${name}' row ${i} is ${JSON.stringify(v)}, not a number`,
      )
    }
    column[i] = v
  })
  return column
}

/**
 * Splits a data message into columns. With array-valued fields (a batch, as the device
 * sends it) every array is a column and all must have the same length; with none (one row,
 * as Dranspose's ingester re-sends it) every numeric non-protocol field is a one-row column.
 */
function rowsOf(header: PcapZmqDataJson): PcapZmqRows {
  const entries = Object.entries(header).filter(([key]) => !PCAP_ZMQ_PROTOCOL_FIELDS.has(key))
  const batch = entries.some(([, v]) => Array.isArray(v))
  const columns: [string, Float64Array][] = []
  const extra: [string, unknown][] = []
  for (const [key, value] of entries) {
    if (Array.isArray(value)) columns.push([key, numbers(key, value)])
    else if (!batch && typeof value === 'number') columns.push([key, Float64Array.of(value)])
    else extra.push([key, value])
  }
  const rows = columns[0]?.[1].length ?? 0
  const odd = columns.find(([, c]) => c.length !== rows)
  if (odd !== undefined) {
    throw new ProtocolError(
      `PandABox zmq data (frame ${header.frame_number}): column '${odd[0]}' has ${odd[1].length} rows, '${columns[0]?.[0]}' has ${rows}`,
    )
  }
  return {
    kind: 'data',
    messageId: header.message_id,
    frameNumber: header.frame_number,
    rows,
    fields: columns.map(([key]) => key),
    columns: Object.fromEntries(columns),
    extra: Object.fromEntries(extra),
    header,
  }
}

/**
 * Parses one message of the PandABox zmq variant: a single JSON part with `message_type`
 * `series-start`, `data` or `series-end`.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` for a wrong part count, bad JSON, an unknown
 *   `message_type`, a missing field, a non-numeric column value or columns of different
 *   lengths.
 */
export function parsePcapZmqFrames(frames: readonly Uint8Array[]): PcapZmqMessage {
  if (frames.length !== 1)
    throw new ProtocolError(`PandABox zmq message has ${frames.length} parts (expected 1)`)
  let json: unknown
  try {
    json = parseJsonBytes(frames[0]!)
  } catch (cause) {
    throw new ProtocolError('PandABox zmq message is not UTF-8 JSON', { cause })
  }
  const result = PcapZmqJson.safeParse(json)
  if (!result.success) {
    const issues = formatIssues(result.error, { max: 3 })
    throw new ProtocolError(`PandABox zmq message invalid: ${issues}`, { cause: result.error })
  }
  const message = result.data
  switch (message.message_type) {
    case 'series-start':
      return {
        kind: 'start',
        messageId: message.message_id,
        armTime: message.arm_time,
        header: message,
      }
    case 'data':
      return rowsOf(message)
    case 'series-end':
      return { kind: 'end', messageId: message.message_id, header: message }
  }
}

/**
 * Parses one PandABox zmq stream's frames of an event (see `parsePcapZmqFrames`).
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when `typ` is not `PCAP`, and everything
 *   `parsePcapZmqFrames` throws.
 */
export function parsePcapZmq(stream: StreamData): PcapZmqMessage {
  if (stream.typ !== PCAP_TYP)
    throw new ProtocolError(`expected a ${PCAP_TYP} stream, got typ '${stream.typ}'`)
  return parsePcapZmqFrames(stream.frames)
}
