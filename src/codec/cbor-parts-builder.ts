/**
 * A minimal CBOR encoder that produces a list of byte parts instead of one buffer, so large byte
 * strings (detector frames) are referenced rather than copied: small heads and small payloads are
 * packed into shared scratch buffers, big payloads become parts of their own. Pure, no I/O.
 */

/** Payloads up to this size are copied into the scratch buffer; larger ones are referenced. */
const INLINE_MAX_BYTES = 4096
const SCRATCH_BYTES = 8192

/** CBOR major types used by the encoders in this folder. */
export const CBOR_MAJOR = {
  uint: 0,
  bytes: 2,
  text: 3,
  array: 4,
  map: 5,
  tag: 6,
} as const

/**
 * Builds one CBOR item (or a sequence) as parts. Call the methods in CBOR order, then
 * {@link CborPartsBuilder.finish}. Referenced payloads must not change until the parts are
 * written out.
 */
export class CborPartsBuilder {
  readonly #parts: Uint8Array[] = []
  #scratch: Buffer = Buffer.allocUnsafe(SCRATCH_BYTES)
  #used = 0
  #flushedTo = 0

  /** Writes a head: major type and argument (a non-negative safe integer, else `RangeError`). */
  head(major: number, argument: number): this {
    if (!Number.isSafeInteger(argument) || argument < 0) {
      throw new RangeError(`CBOR argument ${argument} is not a non-negative safe integer`)
    }
    const m = major << 5
    if (argument < 24) {
      this.#reserve(1)
      this.#scratch[this.#used++] = m | argument
    } else if (argument < 0x100) {
      this.#reserve(2)
      this.#scratch[this.#used++] = m | 24
      this.#scratch[this.#used++] = argument
    } else if (argument < 0x10000) {
      this.#reserve(3)
      this.#scratch[this.#used++] = m | 25
      this.#used = this.#scratch.writeUInt16BE(argument, this.#used)
    } else if (argument < 0x100000000) {
      this.#reserve(5)
      this.#scratch[this.#used++] = m | 26
      this.#used = this.#scratch.writeUInt32BE(argument, this.#used)
    } else {
      this.#reserve(9)
      this.#scratch[this.#used++] = m | 27
      this.#used = this.#scratch.writeUInt32BE(Math.floor(argument / 0x100000000), this.#used)
      this.#used = this.#scratch.writeUInt32BE(argument % 0x100000000, this.#used)
    }
    return this
  }

  /** Writes an unsigned integer. */
  uint(value: number): this {
    return this.head(CBOR_MAJOR.uint, value)
  }

  /** Writes a tag head; the next item written is its content. */
  tag(tagNumber: number): this {
    return this.head(CBOR_MAJOR.tag, tagNumber)
  }

  /** Writes a definite-length UTF-8 text string. */
  text(value: string): this {
    const length = Buffer.byteLength(value, 'utf8')
    this.head(CBOR_MAJOR.text, length)
    this.#reserve(length)
    this.#used += this.#scratch.write(value, this.#used, length, 'utf8')
    return this
  }

  /** Writes a definite-length byte string; payloads above 4 KiB are referenced, not copied. */
  bytes(value: Uint8Array): this {
    this.head(CBOR_MAJOR.bytes, value.byteLength)
    if (value.byteLength <= INLINE_MAX_BYTES) {
      this.#reserve(value.byteLength)
      this.#scratch.set(value, this.#used)
      this.#used += value.byteLength
    } else {
      this.#flush()
      this.#parts.push(value)
    }
    return this
  }

  /** Ends the build and returns the parts in order; the builder must not be used afterwards. */
  finish(): Uint8Array[] {
    this.#flush()
    return this.#parts
  }

  #reserve(bytes: number): void {
    if (this.#used + bytes <= this.#scratch.length) return
    this.#flush()
    // Parts already handed out are views of the old scratch buffer, so never reuse it.
    this.#scratch = Buffer.allocUnsafe(Math.max(SCRATCH_BYTES, bytes))
    this.#used = 0
    this.#flushedTo = 0
  }

  #flush(): void {
    if (this.#used > this.#flushedTo) {
      this.#parts.push(this.#scratch.subarray(this.#flushedTo, this.#used))
      this.#flushedTo = this.#used
    }
  }
}

/** Concatenates parts into one new buffer of exactly their total size (copies). */
export function concatParts(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts)
}
