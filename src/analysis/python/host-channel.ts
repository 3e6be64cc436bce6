import { Decoder, Encoder } from 'cbor-x'
import { ProtocolError } from '../../errors.js'

// Byte strings stay byte strings (no typed-array tag), maps become plain objects.
const encoder = new Encoder({ useRecords: false, tagUint8Array: false })
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true })

/** The largest message either side accepts, bytes. */
export const MAX_MESSAGE_BYTES = 1 << 30

/** One message for the host: a 4-byte little-endian length, then CBOR. */
export function frameMessage(message: unknown): Buffer {
  const body = encoder.encode(message)
  const head = Buffer.allocUnsafe(4)
  head.writeUInt32LE(body.length, 0)
  return Buffer.concat([head, body])
}

/**
 * Splits the host's byte stream into messages (the same framing) and decodes each. Chunks may
 * hold several messages or parts of one.
 */
export class MessageReader {
  #pending: Buffer[] = []
  #bytes = 0

  /**
   * Add a chunk; returns the messages it completed.
   * @throws ProtocolError `PROTOCOL_INVALID` on a length over the limit or undecodable CBOR.
   */
  push(chunk: Buffer): unknown[] {
    this.#pending.push(chunk)
    this.#bytes += chunk.length
    const out: unknown[] = []
    while (this.#bytes >= 4) {
      let buf =
        this.#pending.length === 1 ? (this.#pending[0] as Buffer) : Buffer.concat(this.#pending)
      this.#pending = [buf]
      const length = buf.readUInt32LE(0)
      if (length > MAX_MESSAGE_BYTES)
        throw new ProtocolError(`python host: message of ${length} bytes`)
      if (buf.length < 4 + length) break
      try {
        out.push(decoder.decode(buf.subarray(4, 4 + length)))
      } catch (cause) {
        throw new ProtocolError(`python host: undecodable message: ${String(cause)}`, { cause })
      }
      buf = buf.subarray(4 + length)
      this.#pending = buf.length > 0 ? [buf] : []
      this.#bytes = buf.length
    }
    return out
  }
}
