/**
 * Finds where one CBOR data item ends without decoding it: walks the head bytes (major type,
 * argument, indefinite lengths, tags) and skips string payloads untouched. Pure, no I/O.
 *
 * Readers of CBOR sequences use it to cut a file into items, learn each item's byte offset and
 * tell a file that ends mid-item (truncated) from bytes that are not well-formed CBOR (corrupt),
 * before handing the item to a real decoder.
 */

/** Outcome of {@link scanCborItem}; all positions are indexes into the scanned bytes. */
export type CborScan =
  /** A whole item lies in `[start, end)`. */
  | { readonly status: 'complete'; readonly end: number }
  /**
   * The bytes stop inside the item. `needed` is the smallest `end` that lets the scan progress
   * (for a string, the end of its payload), so a caller can read that much in one go. It may
   * exceed any real file size when a corrupt head claims a huge length.
   */
  | { readonly status: 'incomplete'; readonly needed: number }
  /** The bytes are not well-formed CBOR; `at` is the index of the offending head byte. */
  | { readonly status: 'invalid'; readonly at: number; readonly reason: string }

/** Options of {@link scanCborItem}. */
export interface CborScanOptions {
  /** Deepest nesting of arrays, maps and tags accepted (default 512); deeper is `invalid`. */
  readonly maxDepth?: number
}

const DEFAULT_MAX_DEPTH = 512

/** What an open container still expects (kept as small numbers in a plain array). */
type Open = 0 | 1 | 2 | 3 | 4
/** A definite array, map or tag: `counts` holds how many more items. */
const DEFINITE: Open = 0
/** An indefinite array: items until a break. */
const INDEFINITE_ARRAY: Open = 1
/** An indefinite map: items until a break; `counts` holds items read so far (must end even). */
const INDEFINITE_MAP: Open = 2
/** An indefinite byte string: definite byte-string chunks until a break. */
const INDEFINITE_BYTES: Open = 3
/** An indefinite text string: definite text-string chunks until a break. */
const INDEFINITE_TEXT: Open = 4

const MAJOR_NAMES = ['uint', 'negint', 'bytes', 'text', 'array', 'map', 'tag', 'simple']

/**
 * Scans the CBOR item that starts at `bytes[start]`, looking no further than `end`
 * (default `bytes.length`). Never throws and never recurses, so hostile nesting cannot
 * overflow the stack. Lengths above 2^53 are treated as "needs more bytes than exist".
 */
export function scanCborItem(
  bytes: Uint8Array,
  start: number,
  end: number = bytes.length,
  options: CborScanOptions = {},
): CborScan {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH
  const kinds: Open[] = []
  const counts: number[] = []
  let pos = start

  for (;;) {
    if (pos >= end) return { status: 'incomplete', needed: pos + 1 }
    const at = pos
    const initial = bytes[pos]!
    const major = initial >> 5
    const info = initial & 0x1f
    const top = kinds.length - 1
    const openKind = top >= 0 ? kinds[top]! : undefined

    if (openKind === INDEFINITE_BYTES || openKind === INDEFINITE_TEXT) {
      const chunkMajor = openKind === INDEFINITE_BYTES ? 2 : 3
      if (initial !== 0xff && (major !== chunkMajor || info === 31)) {
        return invalid(
          at,
          `chunk of an indefinite ${MAJOR_NAMES[chunkMajor]} string is ${describe(initial)}`,
        )
      }
    }

    let argument: number
    if (info < 24) {
      argument = info
      pos += 1
    } else if (info <= 27) {
      const size = 1 << (info - 24)
      if (pos + 1 + size > end) return { status: 'incomplete', needed: pos + 1 + size }
      argument = readArgument(bytes, pos + 1, size)
      pos += 1 + size
    } else if (info < 31) {
      return invalid(at, `reserved additional information ${info} in head byte 0x${hex(initial)}`)
    } else {
      // Indefinite length, or the break stop code.
      if (major === 7) {
        if (openKind === undefined || openKind === DEFINITE) {
          return invalid(at, 'break stop code outside an indefinite-length item')
        }
        if (openKind === INDEFINITE_MAP && counts[top]! % 2 !== 0) {
          return invalid(at, 'indefinite-length map ends after a key without its value')
        }
        kinds.pop()
        counts.pop()
        pos += 1
        if (completeItem(kinds, counts)) return { status: 'complete', end: pos }
        continue
      }
      if (major === 0 || major === 1 || major === 6) {
        return invalid(at, `indefinite length is not allowed for ${MAJOR_NAMES[major]}`)
      }
      if (kinds.length >= maxDepth) return invalid(at, `nesting deeper than ${maxDepth}`)
      kinds.push(
        major === 2
          ? INDEFINITE_BYTES
          : major === 3
            ? INDEFINITE_TEXT
            : major === 4
              ? INDEFINITE_ARRAY
              : INDEFINITE_MAP,
      )
      counts.push(0)
      pos += 1
      continue
    }

    switch (major) {
      case 2:
      case 3: {
        const payloadEnd = pos + argument
        if (payloadEnd > end) return { status: 'incomplete', needed: payloadEnd }
        pos = payloadEnd
        break
      }
      case 4:
      case 5:
      case 6: {
        const items = major === 5 ? argument * 2 : major === 6 ? 1 : argument
        if (items > 0) {
          if (kinds.length >= maxDepth) return invalid(at, `nesting deeper than ${maxDepth}`)
          kinds.push(DEFINITE)
          counts.push(items)
          continue
        }
        break
      }
      case 7:
        if (info === 24 && argument < 32) {
          return invalid(at, `simple value ${argument} must use the one-byte encoding`)
        }
        break
      default:
        // Major types 0 and 1: the head is the whole item.
        break
    }
    if (completeItem(kinds, counts)) return { status: 'complete', end: pos }
  }
}

/**
 * Records that one item finished inside the innermost open container, closing every definite
 * container that this fills. Returns true when the top-level item is finished.
 */
function completeItem(kinds: Open[], counts: number[]): boolean {
  for (;;) {
    const top = kinds.length - 1
    if (top < 0) return true
    if (kinds[top] !== DEFINITE) {
      counts[top] = counts[top]! + 1
      return false
    }
    const remaining = counts[top]! - 1
    if (remaining > 0) {
      counts[top] = remaining
      return false
    }
    kinds.pop()
    counts.pop()
  }
}

/** Big-endian unsigned argument of 1, 2, 4 or 8 bytes; 8-byte values above 2^53 become +Infinity-like. */
function readArgument(bytes: Uint8Array, from: number, size: number): number {
  let value = 0
  for (let i = 0; i < size; i++) value = value * 256 + bytes[from + i]!
  return value > Number.MAX_SAFE_INTEGER ? Number.MAX_VALUE : value
}

function invalid(at: number, reason: string): CborScan {
  return { status: 'invalid', at, reason }
}

function describe(initial: number): string {
  const info = initial & 0x1f
  const kind = MAJOR_NAMES[initial >> 5] ?? 'unknown'
  return `${info === 31 ? 'an indefinite ' : 'a '}${kind} (head byte 0x${hex(initial)})`
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0')
}
