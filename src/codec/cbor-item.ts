import { Decoder } from 'cbor-x'

/** One top-level item of a CBOR sequence: where it starts and its exact bytes. */
export interface CborItem {
  /** Byte offset of the item's first byte in the file (or decompressed stream). */
  readonly offset: number
  /** Zero-based position of the item in the sequence. */
  readonly index: number
  /** The item's bytes; a view into the reader's buffer, valid as long as it is referenced. */
  readonly bytes: Uint8Array
}

/** Options of {@link decodeCborItem}. */
export interface CborDecodeOptions {
  /**
   * Copy byte strings out of the input (default false: byte strings are views into it, which
   * keeps the whole input buffer alive while any of them is referenced).
   */
  readonly copyBytes?: boolean
}

// Maps stay `Map`s so keys such as `__proto__` cannot reach an object's prototype, and records
// (cbor-x's own structure tags) are off. Tag 55799 is dropped, tags 0/1 become `Date`s, unknown
// tags become `Tag` instances.
const viewDecoder = new Decoder({ mapsAsObjects: false, useRecords: false, copyBuffers: false })
const copyDecoder = new Decoder({ mapsAsObjects: false, useRecords: false, copyBuffers: true })

/**
 * Decodes exactly one CBOR item with cbor-x. Byte strings come back as `Buffer`s (views unless
 * `copyBytes`), maps as `Map`, 8-byte integers as `bigint`. Throws cbor-x's own errors; callers
 * wrap them with the file and offset they know.
 */
export function decodeCborItem(bytes: Uint8Array, options: CborDecodeOptions = {}): unknown {
  const decoder = options.copyBytes ? copyDecoder : viewDecoder
  const value: unknown = decoder.decode(bytes)
  return value
}
