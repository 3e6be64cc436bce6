import { Encoder } from 'cbor-x'
import { BeamloomError } from '../errors.js'

// Plain CBOR maps (no cbor-x records) so other CBOR readers understand results; typed arrays
// travel as RFC 8746 tags, Dates as tag 1.
const codec = new Encoder({ useRecords: false })

function checkEncodable(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case 'function':
    case 'symbol':
      throw new BeamloomError(
        'PROTOCOL_INVALID',
        `result has a ${typeof value} at ${path || '(root)'}`,
      )
    case 'object': {
      if (value === null || ArrayBuffer.isView(value) || value instanceof Date) return
      if (seen.has(value)) {
        throw new BeamloomError('PROTOCOL_INVALID', `result has a cycle at ${path || '(root)'}`)
      }
      seen.add(value)
      if (value instanceof Map) {
        for (const [k, v] of value) checkEncodable(v, `${path}[${String(k)}]`, seen)
      } else if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) checkEncodable(value[i], `${path}[${i}]`, seen)
      } else {
        for (const [k, v] of Object.entries(value))
          checkEncodable(v, path ? `${path}.${k}` : k, seen)
      }
      seen.delete(value)
      return
    }
    default:
      return
  }
}

/**
 * Encode a worker's result payload for the wire (CBOR). `-0` is sent as integer 0, as JSON
 * does.
 * @throws BeamloomError `PROTOCOL_INVALID` naming the path of a value CBOR cannot carry
 * (functions, symbols, cycles).
 */
export function encodePayload(value: unknown): Uint8Array {
  checkEncodable(value, '', new Set())
  try {
    return codec.encode(value)
  } catch (cause) {
    throw new BeamloomError(
      'PROTOCOL_INVALID',
      `result cannot be encoded as CBOR: ${String(cause)}`,
      {
        cause,
      },
    )
  }
}

/**
 * Decode a result payload encoded by {@link encodePayload}.
 * @throws BeamloomError `PROTOCOL_INVALID` on bytes that are not one CBOR item.
 */
export function decodePayload(bytes: Uint8Array): unknown {
  try {
    return codec.decode(bytes)
  } catch (cause) {
    throw new BeamloomError(
      'PROTOCOL_INVALID',
      `result payload is not valid CBOR: ${String(cause)}`,
      {
        cause,
      },
    )
  }
}
