import { ProtocolError } from '../../errors.js'

/**
 * A CBOR tag this decoder does not resolve itself: tag 40 (multi-dimensional array), the
 * RFC 8746 typed arrays (64–87), 56500 (DECTRIS compressed byte string) and any other.
 */
export class CborTagged {
  constructor(
    readonly tag: number,
    readonly value: unknown,
  ) {}
}

/** Tag 55799 (self-described CBOR), which DECTRIS puts in front of every message. */
export const SELF_DESCRIBED_TAG = 55_799
const MAX_DEPTH = 64
const utf8 = new TextDecoder('utf-8', { fatal: true })

class Reader {
  pos = 0
  readonly view: DataView

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  fail(reason: string): never {
    throw new ProtocolError(`Eiger V2: not well-formed CBOR: ${reason} at byte ${this.pos}`)
  }

  need(n: number): void {
    if (n > this.bytes.length - this.pos) this.fail(`${n} more bytes needed, the message ends`)
  }

  /** Checks that `n` bytes remain, moves past them and returns where they start. */
  take(n: number): number {
    this.need(n)
    const at = this.pos
    this.pos += n
    return at
  }

  slice(n: number): Uint8Array {
    const at = this.take(n)
    return this.bytes.subarray(at, at + n)
  }

  /** The argument of a head; `null` for indefinite length (info 31). */
  argument(info: number): number | bigint | null {
    if (info < 24) return info
    if (info === 31) return null
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0
    if (size === 0) this.fail(`reserved additional information ${info}`)
    const at = this.take(size)
    if (size === 1) return this.view.getUint8(at)
    if (size === 2) return this.view.getUint16(at)
    if (size === 4) return this.view.getUint32(at)
    const big = this.view.getBigUint64(at)
    return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big
  }

  length(info: number): number | null {
    const n = this.argument(info)
    if (typeof n === 'bigint') this.fail('length beyond 2^53')
    return n
  }

  chunks(major: number): Uint8Array {
    const parts: Uint8Array[] = []
    for (;;) {
      this.need(1)
      if (this.bytes[this.pos] === 0xff) {
        this.pos++
        break
      }
      const head = this.bytes[this.pos++]!
      const n = head >> 5 === major ? this.length(head & 31) : null
      if (n === null) this.fail('bad chunk in an indefinite-length string')
      parts.push(this.slice(n))
    }
    return Buffer.concat(parts)
  }

  string(major: number, info: number): Uint8Array {
    const n = this.length(info)
    if (n === null) return this.chunks(major)
    return this.slice(n)
  }

  text(info: number): string {
    try {
      return utf8.decode(this.string(3, info))
    } catch (err) {
      if (err instanceof ProtocolError) throw err
      return this.fail('text string is not UTF-8')
    }
  }

  items(info: number, each: () => void): void {
    const n = this.length(info)
    if (n === null) {
      for (;;) {
        this.need(1)
        if (this.bytes[this.pos] === 0xff) {
          this.pos++
          return
        }
        each()
      }
    }
    for (let i = 0; i < n; i++) each()
  }

  map(info: number, depth: number): unknown {
    const entries: [unknown, unknown][] = []
    this.items(info, () => {
      entries.push([this.item(depth + 1), this.item(depth + 1)])
    })
    if (entries.every(([key]) => typeof key === 'string')) {
      const object: Record<string, unknown> = {}
      for (const [key, value] of entries) {
        const name = String(key)
        if (Object.hasOwn(object, name)) this.fail(`duplicate map key '${name}'`)
        // defineProperty, not assignment: a key `__proto__` must stay a plain key.
        Object.defineProperty(object, name, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        })
      }
      return object
    }
    return new Map(entries)
  }

  simple(info: number): unknown {
    switch (info) {
      case 20:
        return false
      case 21:
        return true
      case 22:
        return null
      case 23:
        return undefined
      case 25:
        return halfToNumber(this.view.getUint16(this.take(2)))
      case 26:
        return this.view.getFloat32(this.take(4))
      case 27:
        return this.view.getFloat64(this.take(8))
      default:
        return this.fail(`unsupported simple value ${info}`)
    }
  }

  item(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`)
    this.need(1)
    const head = this.bytes[this.pos++]!
    const major = head >> 5
    const info = head & 31
    switch (major) {
      case 0:
      case 1: {
        const n = this.argument(info)
        if (n === null) return this.fail('indefinite integer')
        if (major === 0) return n
        return typeof n === 'bigint' ? -1n - n : -1 - n
      }
      case 2:
        return this.string(2, info)
      case 3:
        return this.text(info)
      case 4: {
        const array: unknown[] = []
        this.items(info, () => {
          array.push(this.item(depth + 1))
        })
        return array
      }
      case 5:
        return this.map(info, depth)
      case 6: {
        const tag = this.argument(info)
        if (tag === null || typeof tag === 'bigint') return this.fail('bad tag number')
        const value = this.item(depth + 1)
        // Self-description is a marker only; date/time tags keep their string or number.
        if (tag === SELF_DESCRIBED_TAG || tag === 0 || tag === 1) return value
        return new CborTagged(tag, value)
      }
      default:
        return this.simple(info)
    }
  }
}

function halfToNumber(half: number): number {
  const exponent = (half >> 10) & 0x1f
  const fraction = half & 0x3ff
  const sign = half & 0x8000 ? -1 : 1
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024)
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024)
}

/**
 * Decodes one CBOR message of DECTRIS Stream V2. Maps with text keys become plain objects
 * (others `Map`s), byte strings are zero-copy views into `bytes`, integers beyond 2^53 are
 * `bigint`s, tags 55799, 0 and 1 are unwrapped, every other tag is a `CborTagged` for the
 * caller to resolve. Written here rather than with cbor-x because cbor-x turns a typed-array
 * tag around a compressed byte string (tag 56500) into an empty array.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` naming the byte offset when the bytes are not one
 *   well-formed CBOR item (truncated, trailing bytes, bad UTF-8, duplicate keys, too deep).
 */
export function decodeEigerV2Cbor(bytes: Uint8Array): unknown {
  const reader = new Reader(bytes)
  const value = reader.item(0)
  if (reader.pos !== bytes.length)
    reader.fail(`${bytes.length - reader.pos} bytes after the message`)
  return value
}
