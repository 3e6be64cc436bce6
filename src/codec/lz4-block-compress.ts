/**
 * Compresses `src` as one raw LZ4 block into `dst` starting at `dstOffset` and returns the
 * number of bytes written. `dst` must have room for `lz4BlockBound(src.length)` bytes from
 * `dstOffset`. Seam for a native or WASM compressor, like `Lz4BlockDecompressor`.
 */
export type Lz4BlockCompressor = (src: Uint8Array, dst: Uint8Array, dstOffset: number) => number

/** Matches are at least this long. */
const MIN_MATCH = 4
/** The last match must start at least this many bytes before the end of the block. */
const MF_LIMIT = 12
/** The last this many bytes of a block are always literals. */
const LAST_LITERALS = 5
const MAX_OFFSET = 65_535
const HASH_BITS = 12

/**
 * Positions are stored as `generation + position` so that the table never needs clearing
 * between calls: entries below the current generation are stale.
 */
const hashTable = new Int32Array(1 << HASH_BITS)
let generation = 0

/** Worst-case size in bytes of an LZ4 block holding `length` input bytes. */
export function lz4BlockBound(length: number): number {
  return length + Math.floor(length / 255) + 16
}

function read32(src: Uint8Array, i: number): number {
  return src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24)
}

function hash(word: number): number {
  return Math.imul(word, 2_654_435_761) >>> (32 - HASH_BITS)
}

/** Writes the 255-run extension of a length whose nibble saturated at 15. */
function writeLengthTail(dst: Uint8Array, d: number, rest: number): number {
  let left = rest
  while (left >= 255) {
    dst[d++] = 255
    left -= 255
  }
  dst[d++] = left
  return d
}

/** Emits one sequence: literals `src[from, to)` then, when `matchLength > 0`, the match. */
function writeSequence(
  src: Uint8Array,
  from: number,
  to: number,
  dst: Uint8Array,
  d: number,
  offset: number,
  matchLength: number,
): number {
  const literals = to - from
  const matchCode = matchLength > 0 ? matchLength - MIN_MATCH : 0
  const tokenAt = d++
  dst[tokenAt] = (Math.min(literals, 15) << 4) | Math.min(matchCode, 15)
  let out = literals >= 15 ? writeLengthTail(dst, d, literals - 15) : d
  dst.set(src.subarray(from, to), out)
  out += literals
  if (matchLength === 0) return out
  dst[out++] = offset & 255
  dst[out++] = offset >>> 8
  return matchCode >= 15 ? writeLengthTail(dst, out, matchCode - 15) : out
}

/**
 * Greedy single-probe hash-table LZ4 block compressor: fast, modest ratio, and output valid
 * for any conforming LZ4 decoder (it keeps the end-of-block rules: the last 5 bytes are
 * literals and no match starts in the last 12). Used by simulators and tests; decoding speed
 * is what matters in beamloom, so no effort goes into ratio.
 */
export function compressLz4Block(src: Uint8Array, dst: Uint8Array, dstOffset = 0): number {
  const n = src.length
  if (generation > 0x3fff_ffff - n) {
    hashTable.fill(0)
    generation = 0
  }
  const base = generation + 1
  generation = base + n

  let d = dstOffset
  let anchor = 0
  let ip = 0
  const matchStartLimit = n - MF_LIMIT
  const matchEndLimit = n - LAST_LITERALS
  while (ip < matchStartLimit) {
    const word = read32(src, ip)
    const h = hash(word)
    const candidate = hashTable[h]! - base
    hashTable[h] = base + ip
    if (candidate < 0 || ip - candidate > MAX_OFFSET || read32(src, candidate) !== word) {
      // Skip faster through data that does not compress.
      ip += 1 + ((ip - anchor) >>> 6)
      continue
    }
    let length = MIN_MATCH
    while (ip + length < matchEndLimit && src[candidate + length] === src[ip + length]) length++
    d = writeSequence(src, anchor, ip, dst, d, ip - candidate, length)
    ip += length
    anchor = ip
  }
  d = writeSequence(src, anchor, n, dst, d, 0, 0)
  return d - dstOffset
}
