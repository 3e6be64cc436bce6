import { ProtocolError } from '../errors.js'
import type { WorkerMessage } from '../protocol/event.js'
import { CBOR_MAJOR, CborPartsBuilder, concatParts } from './cbor-parts-builder.js'
import { RECORDING_TAGS } from './recording-tags.js'

/** Options of {@link encodeRecord}. */
export interface RecordEncodeOptions {
  /**
   * Write `createdAt` (when the message has one) as the third array element, a tag-0 RFC 3339
   * string as cbor2 writes it (default true). False writes the two-element form of older
   * recordings.
   */
  readonly includeCreatedAt?: boolean
}

/**
 * Encodes one message as a `.cbors` record, as parts: heads and small frames packed together,
 * frames above 4 KiB referenced (not copied). Layout, readable by Dranspose (cbor2):
 * `55799(42877([event_number, {stream: 42878([typ, [bstr, …]])}, created_at?]))`.
 *
 * Throws `ProtocolError` (`PROTOCOL_INVALID`) when the event number is not a non-negative
 * safe integer or `createdAt` is an invalid Date.
 */
export function encodeRecordParts(
  msg: WorkerMessage,
  options: RecordEncodeOptions = {},
): Uint8Array[] {
  const eventNumber: number = msg.eventNumber
  if (!Number.isSafeInteger(eventNumber) || eventNumber < 0) {
    throw new ProtocolError(`cannot record event number ${eventNumber}: not a non-negative integer`)
  }
  const createdAt = options.includeCreatedAt === false ? undefined : msg.createdAt
  if (createdAt !== undefined && Number.isNaN(createdAt.getTime())) {
    throw new ProtocolError(`cannot record event ${eventNumber}: createdAt is an invalid Date`)
  }
  const out = new CborPartsBuilder()
    .tag(RECORDING_TAGS.selfDescribe)
    .tag(RECORDING_TAGS.workerMessage)
    .head(CBOR_MAJOR.array, createdAt === undefined ? 2 : 3)
    .uint(eventNumber)
  const streams = Object.entries(msg.streams)
  out.head(CBOR_MAJOR.map, streams.length)
  for (const [name, data] of streams) {
    out.text(name).tag(RECORDING_TAGS.streamData).head(CBOR_MAJOR.array, 2).text(data.typ)
    out.head(CBOR_MAJOR.array, data.frames.length)
    for (const frame of data.frames) out.bytes(frame)
  }
  if (createdAt !== undefined) {
    // toISOString gives UTC with a `Z`, which cbor2 parses into an aware datetime.
    out.tag(RECORDING_TAGS.dateTimeString).text(createdAt.toISOString())
  }
  return out.finish()
}

/** Encodes one message as a `.cbors` record in one new buffer; see {@link encodeRecordParts}. */
export function encodeRecord(msg: WorkerMessage, options: RecordEncodeOptions = {}): Uint8Array {
  return concatParts(encodeRecordParts(msg, options))
}
