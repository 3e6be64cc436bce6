import { parseJsonBytes } from '../../src/internal.js'
/**
 * What an ingester makes of one upstream message before forwarding it: the series' `start`,
 * a `data` frame with its frame number, the series' `end`, or `invalid` with the reason (the
 * message is dropped and counted, never given an event).
 */
export type Classified =
  | { readonly kind: 'start' | 'end'; readonly frame?: undefined }
  | { readonly kind: 'data'; readonly frame: number | undefined }
  | { readonly kind: 'invalid'; readonly reason: string }

/** Parts a message of one kind may have, `[min, max]`. */
export type PartRange = readonly [number, number]

/** How a protocol whose messages start with a small JSON header marks them. */
export interface JsonProtocol {
  /** For reasons: `STINS`, `Eiger V1`, … */
  readonly label: string
  /** The field naming the kind: `htype`, `message_type`. */
  readonly typeField: string
  readonly start: string
  readonly data: string
  readonly end: string
  /** The field of a data header holding its frame number (from 0): `frame`, `frame_number`. */
  readonly frameField: string
  /** Parts each kind has on the wire. */
  readonly parts: { readonly start: PartRange; readonly data: PartRange; readonly end: PartRange }
}

/** A JSON header larger than this is not one (the parser in the worker reads the rest). */
export const MAX_JSON_HEADER_BYTES = 1 << 20
const OPEN_BRACE = 0x7b
/**
 * Parse the first part of a message as a JSON object, bounded: `undefined` plus the reason
 * when it is not one. Looks at nothing else (a binary part never gets decoded: it does not
 * start with `{`).
 */
export function readJsonHeader(
  part: Uint8Array | undefined,
  label: string,
): { readonly json: object } | { readonly reason: string } {
  if (part === undefined) return { reason: `${label} message without parts` }
  if (part[0] !== OPEN_BRACE) return { reason: `${label} message whose first part is not JSON` }
  if (part.byteLength > MAX_JSON_HEADER_BYTES) {
    return { reason: `${label} message with a ${part.byteLength}-byte first part (not a header)` }
  }
  let json: unknown
  try {
    json = parseJsonBytes(part)
  } catch {
    return { reason: `${label} message whose first part is not valid UTF-8 JSON` }
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { reason: `${label} message whose first part is not a JSON object` }
  }
  return { json }
}

/** A field of a parsed JSON object (own or not: JSON.parse makes plain objects). */
export function fieldOf(json: object, key: string): unknown {
  return Reflect.get(json, key)
}

/** A frame number: a non-negative safe integer. */
export function isFrameNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

/**
 * Classify one message of a JSON-headed protocol by the protocol's own fields: its type field,
 * the frame number of a data message, and the part count of each kind. Cheap (one JSON parse of
 * the small header, nothing of the payload): it runs on every message at kHz rates. What else the
 * header says, and the payload, are checked by the parser in the worker.
 */
export function classifyJsonMessage(
  protocol: JsonProtocol,
  parts: readonly Uint8Array[],
): Classified {
  const { label, typeField } = protocol
  const header = readJsonHeader(parts[0], label)
  if ('reason' in header) return { kind: 'invalid', reason: header.reason }
  const type = fieldOf(header.json, typeField)
  if (typeof type !== 'string') {
    return { kind: 'invalid', reason: `${label} message without a ${typeField} string` }
  }
  let kind: 'start' | 'data' | 'end'
  if (type === protocol.data) kind = 'data'
  else if (type === protocol.start) kind = 'start'
  else if (type === protocol.end) kind = 'end'
  else {
    return { kind: 'invalid', reason: `${label} message with unknown ${typeField} '${clip(type)}'` }
  }
  const [min, max] = protocol.parts[kind]
  if (parts.length < min || parts.length > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `${min} or more` : `${min}–${max}`
    return {
      kind: 'invalid',
      reason: `${label} ${type} message with ${parts.length} parts (expected ${expected})`,
    }
  }
  if (kind !== 'data') return { kind }
  const frame = fieldOf(header.json, protocol.frameField)
  if (!isFrameNumber(frame)) {
    return {
      kind: 'invalid',
      reason: `${label} ${type} message whose ${protocol.frameField} is not a frame number: ${clip(JSON.stringify(frame) ?? 'absent')}`,
    }
  }
  return { kind, frame }
}

/** A value shown in a reason, cut short (the value came from the device). */
export function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text
}
