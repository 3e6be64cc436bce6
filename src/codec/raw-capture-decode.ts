import { RecordingError } from '../errors.js'
import { describeCborValue } from './cbor-describe.js'
import { type CborDecodeOptions, type CborItem, decodeCborItem } from './cbor-item.js'
import { splitCborSequence } from './cbor-sequence-reader.js'

/**
 * Checks that a decoded CBOR value is one raw-capture message: an array of byte strings (the
 * zmq parts). Returns the parts, or what is wrong. Pure; never throws.
 */
export function parseRawCaptureItem(value: unknown): Uint8Array[] | string {
  if (!Array.isArray(value))
    return `expected an array of byte strings, found ${describeCborValue(value)}`
  const parts: Uint8Array[] = []
  for (const [i, part] of value.entries()) {
    const p: unknown = part
    if (!(p instanceof Uint8Array)) return `part ${i} is ${describeCborValue(p)}, not a byte string`
    parts.push(p)
  }
  return parts
}

/**
 * Decodes and checks one item of a raw capture. Throws `RecordingError` `RECORDING_CORRUPT`
 * naming `name` and the item's offset when it cannot be decoded or is not an array of byte
 * strings.
 */
export function decodeRawCaptureItem(
  item: CborItem,
  name: string,
  options: CborDecodeOptions = {},
): Uint8Array[] {
  let value: unknown
  try {
    value = decodeCborItem(item.bytes, options)
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err)
    throw new RecordingError(
      name,
      item.offset,
      `message ${item.index} cannot be decoded (${detail})`,
      {
        cause: err,
      },
    )
  }
  const parts = parseRawCaptureItem(value)
  if (typeof parts === 'string') {
    throw new RecordingError(
      name,
      item.offset,
      `message ${item.index} is not a raw capture message: ${parts}`,
    )
  }
  return parts
}

/**
 * Decodes a whole raw capture held in memory: one array of zmq parts per upstream message,
 * parts being views into `bytes`. Throws `RecordingError` (`RECORDING_TRUNCATED` or
 * `RECORDING_CORRUPT`) naming `name`.
 */
export function decodeRawCapture(bytes: Uint8Array, name: string): Uint8Array[][] {
  const messages: Uint8Array[][] = []
  for (const item of splitCborSequence(bytes, name)) messages.push(decodeRawCaptureItem(item, name))
  return messages
}
