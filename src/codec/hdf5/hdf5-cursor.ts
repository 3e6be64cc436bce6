import { ProtocolError } from '../../errors.js'

/** The sizes a file's superblock sets for addresses and lengths, in bytes. */
export interface Hdf5Sizes {
  /** Bytes of a file address ("size of offsets"), 2–8. */
  readonly offsetSize: number
  /** Bytes of a length ("size of lengths"), 2–8. */
  readonly lengthSize: number
}

/** An HDF5 structure that cannot be read; `where` names the file and byte. */
export function hdf5Error(where: string, reason: string, cause?: unknown): ProtocolError {
  return new ProtocolError(`HDF5 ${where}: ${reason}`, { code: 'DECODE_FAILED', cause })
}

/**
 * A little-endian reader over bytes of an HDF5 structure (all HDF5 metadata is little endian).
 * Every read checks the bounds: a structure cut short is an error, never a read past the end.
 */
export class Hdf5Cursor {
  readonly #bytes: Uint8Array
  readonly #view: DataView
  readonly #sizes: Hdf5Sizes
  readonly #where: string
  pos: number

  /** @param where names the structure in errors (`file.h5 object header at 1312`). */
  constructor(bytes: Uint8Array, sizes: Hdf5Sizes, where: string, pos = 0) {
    this.#bytes = bytes
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.#sizes = sizes
    this.#where = where
    this.pos = pos
  }

  /** Bytes left after the position. */
  get remaining(): number {
    return this.#bytes.length - this.pos
  }

  /** A failure at the current position. */
  error(reason: string): ProtocolError {
    return hdf5Error(`${this.#where} (+${this.pos})`, reason)
  }

  #need(n: number): number {
    if (n < 0 || this.pos + n > this.#bytes.length) {
      throw this.error(`needs ${n} more bytes, ${this.remaining} left`)
    }
    const at = this.pos
    this.pos += n
    return at
  }

  u8(): number {
    return this.#view.getUint8(this.#need(1))
  }

  u16(): number {
    return this.#view.getUint16(this.#need(2), true)
  }

  u32(): number {
    return this.#view.getUint32(this.#need(4), true)
  }

  /** An unsigned integer of `n` bytes (1–8) that must be a safe integer. */
  uint(n: number): number {
    const at = this.#need(n)
    let value = 0
    for (let i = n - 1; i >= 0; i--) value = value * 256 + this.#bytes[at + i]!
    if (!Number.isSafeInteger(value)) throw hdf5Error(this.#where, `value at +${at} is too large`)
    return value
  }

  /** A file address; `undefined` for the undefined address (all bits set). */
  address(): number | undefined {
    const n = this.#sizes.offsetSize
    const at = this.#need(n)
    let undefinedAddress = true
    for (let i = 0; i < n; i++) if (this.#bytes[at + i] !== 0xff) undefinedAddress = false
    if (undefinedAddress) return undefined
    this.pos = at
    return this.uint(n)
  }

  /** A length (size-of-lengths bytes). */
  length(): number {
    return this.uint(this.#sizes.lengthSize)
  }

  /** `n` bytes, as a view (not a copy). */
  bytes(n: number): Uint8Array {
    const at = this.#need(n)
    return this.#bytes.subarray(at, at + n)
  }

  skip(n: number): void {
    this.#need(n)
  }

  /** Check a 4-byte ASCII signature. */
  signature(expected: string): void {
    const got = String.fromCharCode(...this.bytes(4))
    if (got !== expected) throw this.error(`expected signature ${expected}, found '${got}'`)
  }
}
