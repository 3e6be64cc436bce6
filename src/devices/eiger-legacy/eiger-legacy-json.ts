import type { z } from 'zod'
import { parseJsonBytes } from '../../codec/json-bytes.js'
import { formatIssues } from '../../config/format-issues.js'
import { ProtocolError } from '../../errors.js'

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Parses part `index` of an Eiger Stream V1 message as UTF-8 JSON and checks it with
 * `schema`. Internal to the Eiger V1 parser.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` naming `what` when the part is missing, is not
 *   UTF-8 JSON, or does not match the schema.
 */
export function parseEigerLegacyJson<T>(
  frames: readonly Uint8Array[],
  index: number,
  schema: z.ZodType<T>,
  what: string,
): T {
  const part = frames[index]
  if (part === undefined) throw new ProtocolError(`Eiger V1 ${what}: part ${index} is missing`)
  let json: unknown
  try {
    json = parseJsonBytes(part)
  } catch (cause) {
    throw new ProtocolError(`Eiger V1 ${what} (part ${index}) is not UTF-8 JSON`, { cause })
  }
  const result = schema.safeParse(json)
  if (!result.success) {
    const issues = formatIssues(result.error, { max: 3 })
    throw new ProtocolError(`Eiger V1 ${what} (part ${index}) invalid: ${issues}`, {
      cause: result.error,
    })
  }
  return result.data
}

/**
 * Reads a user appendix part: JSON when it parses as JSON, else the UTF-8 text, else the raw
 * bytes. DECTRIS lets users put any string there, so nothing about it is an error.
 */
export function readEigerLegacyAppendix(part: Uint8Array): unknown {
  let text: string
  try {
    text = utf8.decode(part)
  } catch {
    // Not UTF-8: hand the bytes over untouched.
    return part
  }
  try {
    const json: unknown = JSON.parse(text)
    return json
  } catch {
    // Free text is allowed in an appendix.
    return text
  }
}
