import { parseJsonBytes } from '../codec/json-bytes.js'
/** JSON from bytes; `undefined` for missing or malformed input (the schema then refuses it). */
export function parseJson(bytes: Uint8Array | undefined): unknown {
  if (bytes === undefined) return undefined
  try {
    return parseJsonBytes(bytes)
  } catch {
    // Malformed JSON is reported by the schema check that follows, as `undefined` fails it.
    return undefined
  }
}
