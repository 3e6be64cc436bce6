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
      // Join the chunks only once a whole message is there (a large one arrives in many).
      if ((this.#pending[0] as Buffer).length < 4) this.#join()
      const length = (this.#pending[0] as Buffer).readUInt32LE(0)
      if (length > MAX_MESSAGE_BYTES) {
        throw new ProtocolError(`python host: message of ${length} bytes`)
      }
      if (this.#bytes < 4 + length) break
      const buf = this.#join()
      try {
        out.push(decoder.decode(buf.subarray(4, 4 + length)))
      } catch (cause) {
        throw new ProtocolError(`python host: undecodable message: ${String(cause)}`, { cause })
      }
      const rest = buf.subarray(4 + length)
      this.#pending = rest.length > 0 ? [rest] : []
      this.#bytes = rest.length
    }
    return out
  }

  #join(): Buffer {
    const buf =
      this.#pending.length === 1 ? (this.#pending[0] as Buffer) : Buffer.concat(this.#pending)
    this.#pending = [buf]
    return buf
  }
}
