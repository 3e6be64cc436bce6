import { ProtocolError } from '../errors.js'

/** Python caps decimal integer text at 4300 digits by default; so do we. */
const MAX_INT_DIGITS = 4300
/** Longest binary integer (LONG1/LONG4) we decode: 4300 decimal digits fit in 1786 bytes. */
const MAX_LONG_BYTES = 1786

const utf8 = new TextDecoder('utf-8', { fatal: true })
const latin1 = new TextDecoder('latin1')

/**
 * A cursor over a pickle's bytes. Every read checks the remaining length first, so a length
 * field that points past the end is refused before anything is allocated.
 */
export class PickleInput {
  readonly bytes: Uint8Array
  pos = 0
  private readonly view: DataView

  constructor(bytes: Uint8Array) {
    this.bytes = bytes
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  get remaining(): number {
    return this.bytes.length - this.pos
  }

  private need(n: number, what: string): void {
    if (n > this.remaining) {
      throw new ProtocolError(
        `pickle truncated: ${what} needs ${n} bytes at offset ${this.pos}, ${this.remaining} left`,
      )
    }
  }

  u8(what = 'opcode'): number {
    this.need(1, what)
    return this.bytes[this.pos++]!
  }

  u16(): number {
    this.need(2, 'uint16')
    const v = this.view.getUint16(this.pos, true)
    this.pos += 2
    return v
  }

  i32(): number {
    this.need(4, 'int32')
    const v = this.view.getInt32(this.pos, true)
    this.pos += 4
    return v
  }

  u32(): number {
    this.need(4, 'uint32')
    const v = this.view.getUint32(this.pos, true)
    this.pos += 4
    return v
  }

  f64be(): number {
    this.need(8, 'float64')
    const v = this.view.getFloat64(this.pos, false)
    this.pos += 8
    return v
  }

  /** An 8-byte little-endian length; refused when larger than what is left. */
  u64Length(what: string): number {
    this.need(8, `${what} length`)
    const v = this.view.getBigUint64(this.pos, true)
    this.pos += 8
    if (v > BigInt(this.remaining)) {
      throw new ProtocolError(
        `pickle truncated: ${what} of ${v} bytes at offset ${this.pos}, ${this.remaining} left`,
      )
    }
    return Number(v)
  }

  /** `n` bytes as a view on the input (no copy). */
  take(n: number, what: string): Uint8Array {
    if (n < 0) throw new ProtocolError(`pickle: negative ${what} length ${n} at offset ${this.pos}`)
    this.need(n, what)
    const out = this.bytes.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  utf8(n: number, what: string): string {
    const at = this.pos
    const raw = this.take(n, what)
    try {
      return utf8.decode(raw)
    } catch (cause) {
      throw new ProtocolError(`pickle: ${what} at offset ${at} is not valid UTF-8`, { cause })
    }
  }

  latin1(n: number, what: string): string {
    return latin1.decode(this.take(n, what))
  }

  /** A text line (protocol 0 arguments), without its `\n`, decoded as latin-1. */
  line(what: string): string {
    const end = this.bytes.indexOf(0x0a, this.pos)
    if (end < 0) throw new ProtocolError(`pickle truncated: ${what} line at offset ${this.pos}`)
    const text = latin1.decode(this.bytes.subarray(this.pos, end))
    this.pos = end + 1
    return text
  }

  /** A little-endian two's-complement integer of `n` bytes (LONG1, LONG4). */
  long(n: number): number | bigint {
    if (n > MAX_LONG_BYTES) {
      throw new ProtocolError(
        `pickle: integer of ${n} bytes is too large (limit ${MAX_LONG_BYTES})`,
      )
    }
    const raw = this.take(n, 'long')
    if (n === 0) return 0
    let v = 0n
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]!)
    if ((raw[n - 1]! & 0x80) !== 0) v -= 1n << BigInt(8 * n)
    return normalizeInt(v)
  }
}

/** A Python int as a JS number when it is a safe integer, else as a bigint. */
export function normalizeInt(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v
}

/** Parses the decimal text of INT and LONG (a trailing `L` allowed for LONG). */
export function parseDecimalInt(text: string, what: string): number | bigint {
  const body = what === 'LONG' && text.endsWith('L') ? text.slice(0, -1) : text
  if (!/^[+-]?\d+$/.test(body) || body.length > MAX_INT_DIGITS + 1) {
    throw new ProtocolError(`pickle: ${what} argument '${text.slice(0, 40)}' is not an integer`)
  }
  return normalizeInt(BigInt(body))
}

/** Parses the text of FLOAT (Python's `repr` of a float). */
export function parseDecimalFloat(text: string): number {
  const t = text.trim().toLowerCase()
  if (/^[+-]?inf(inity)?$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity
  if (/^[+-]?nan$/.test(t)) return Number.NaN
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) {
    throw new ProtocolError(`pickle: FLOAT argument '${text.slice(0, 40)}' is not a number`)
  }
  return Number(t)
}
