import { Tag } from 'cbor-x'
import { RecordingError } from '../errors.js'
import type { StreamData, WorkerMessage } from '../protocol/event.js'
import { EventNumber } from '../protocol/ids.js'
import { describeCborValue } from './cbor-describe.js'
import { type CborDecodeOptions, type CborItem, decodeCborItem } from './cbor-item.js'
import { splitCborSequence } from './cbor-sequence-reader.js'
import { RECORDING_TAGS } from './recording-tags.js'

/** Outcome of {@link parseRecord}: the message, or what is wrong with the value. */
export type RecordParse =
  | { readonly ok: true; readonly message: WorkerMessage }
  | { readonly ok: false; readonly reason: string }

/**
 * Checks a decoded CBOR value (cbor-x output: maps as `Map`, tag 55799 already dropped, tags 0
 * and 1 as `Date`) against the record layout `42877([evn, {stream: 42878([typ, [bstr…]])},
 * created_at?])`. A `created_at` of null or undefined (Dranspose writes None as null) means
 * absent. Pure; never throws.
 */
export function parseRecord(value: unknown): RecordParse {
  if (!(value instanceof Tag) || value.tag !== RECORDING_TAGS.workerMessage) {
    return fail(`expected tag ${RECORDING_TAGS.workerMessage}, found ${describeCborValue(value)}`)
  }
  const body: unknown = value.value
  if (!Array.isArray(body) || (body.length !== 2 && body.length !== 3)) {
    return fail(`expected [event_number, streams, created_at?], found ${describeCborValue(body)}`)
  }
  const [rawEventNumber, rawStreams, rawCreatedAt]: unknown[] = body
  const evn = EventNumber.safeParse(
    typeof rawEventNumber === 'bigint' && rawEventNumber <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(rawEventNumber)
      : rawEventNumber,
  )
  if (!evn.success) {
    return fail(`event number is ${describeCborValue(rawEventNumber)}, not a non-negative integer`)
  }
  if (!(rawStreams instanceof Map))
    return fail(`streams is ${describeCborValue(rawStreams)}, not a map`)
  const streams: [string, StreamData][] = []
  for (const [name, rawData] of rawStreams) {
    if (typeof name !== 'string' || name.length === 0) {
      return fail(`stream name ${describeCborValue(name)} is not a non-empty text string`)
    }
    const data = parseStreamData(rawData)
    if (typeof data === 'string') return fail(`stream '${name}': ${data}`)
    streams.push([name, data])
  }
  const message: WorkerMessage = { eventNumber: evn.data, streams: Object.fromEntries(streams) }
  if (rawCreatedAt === undefined || rawCreatedAt === null) return { ok: true, message }
  if (!(rawCreatedAt instanceof Date) || Number.isNaN(rawCreatedAt.getTime())) {
    return fail(
      `created_at is ${describeCborValue(rawCreatedAt)}, not a valid tag 0 or tag 1 timestamp`,
    )
  }
  return { ok: true, message: { ...message, createdAt: rawCreatedAt } }
}

/**
 * Decodes and checks one record of a recording. Throws `RecordingError` `RECORDING_CORRUPT`
 * naming `name` and the record's offset when cbor-x cannot decode it (the cbor-x error is the
 * `cause`) or the layout is wrong.
 */
export function decodeRecordItem(
  item: CborItem,
  name: string,
  options: CborDecodeOptions = {},
): WorkerMessage {
  let value: unknown
  try {
    value = decodeCborItem(item.bytes, options)
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err)
    throw new RecordingError(
      name,
      item.offset,
      `record ${item.index} cannot be decoded (${detail})`,
      {
        cause: err,
      },
    )
  }
  const parsed = parseRecord(value)
  if (!parsed.ok) {
    throw new RecordingError(
      name,
      item.offset,
      `record ${item.index} is not a worker message: ${parsed.reason}`,
    )
  }
  return parsed.message
}

/**
 * Decodes a whole recording held in memory (small files, tests). Frames are views into `bytes`.
 * Throws `RecordingError` (`RECORDING_TRUNCATED` or `RECORDING_CORRUPT`) naming `name`.
 */
export function decodeRecording(bytes: Uint8Array, name: string): WorkerMessage[] {
  const messages: WorkerMessage[] = []
  for (const item of splitCborSequence(bytes, name)) messages.push(decodeRecordItem(item, name))
  return messages
}

function parseStreamData(value: unknown): StreamData | string {
  if (!(value instanceof Tag) || value.tag !== RECORDING_TAGS.streamData) {
    return `expected tag ${RECORDING_TAGS.streamData}, found ${describeCborValue(value)}`
  }
  const body: unknown = value.value
  if (!Array.isArray(body) || body.length !== 2) {
    return `expected [typ, frames], found ${describeCborValue(body)}`
  }
  const [typ, frames]: unknown[] = body
  if (typeof typ !== 'string') return `typ is ${describeCborValue(typ)}, not a text string`
  if (!Array.isArray(frames)) return `frames is ${describeCborValue(frames)}, not an array`
  const checked: Uint8Array[] = []
  for (const [i, frame] of frames.entries()) {
    const f: unknown = frame
    if (!(f instanceof Uint8Array))
      return `frame ${i} is ${describeCborValue(f)}, not a byte string`
    checked.push(f)
  }
  return { typ, frames: checked }
}

function fail(reason: string): RecordParse {
  return { ok: false, reason }
}
