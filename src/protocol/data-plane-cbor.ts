import { Decoder, Encoder } from 'cbor-x'
import type { z } from 'zod'
import { formatIssues } from '../config/format-issues.js'
import { ProtocolError } from '../errors.js'

// Plain CBOR maps and arrays (no cbor-x record extension), so any CBOR reader can inspect the
// data plane's headers; see docs/data-plane.md.
const encoder = new Encoder({ useRecords: false })
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true })

/**
 * Encode one data-plane header (a small plain object) as CBOR.
 * The result may be a view into cbor-x's shared output buffer; it is never overwritten.
 */
export function encodeDataPlaneHeader(header: unknown): Uint8Array {
  return encoder.encode(header)
}

/**
 * Decode a data-plane header and validate it with `schema`; parse-once at the receiving edge.
 * @throws ProtocolError `PROTOCOL_INVALID` naming `what` and the reason (not CBOR, or the
 * schema's issues).
 */
export function decodeDataPlaneHeader<S extends z.ZodType>(
  bytes: Uint8Array | undefined,
  schema: S,
  what: string,
): z.output<S> {
  if (bytes === undefined) throw new ProtocolError(`${what}: the message has no header part`)
  let value: unknown
  try {
    value = decoder.decode(bytes)
  } catch (cause) {
    throw new ProtocolError(`${what}: header is not one CBOR item (${String(cause)})`, { cause })
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    const issues = formatIssues(parsed.error, { max: 3 })
    throw new ProtocolError(`${what}: invalid header (${issues})`, { cause: parsed.error })
  }
  return parsed.data
}
