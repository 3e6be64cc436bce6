/**
 * Fast path of `bitunshuffleBlock` for 4-byte elements (Eiger and Pilatus uint32 images):
 * reads the shuffled rows and writes the elements as 32-bit words instead of bytes. Needs
 * a little-endian host, 4-byte aligned offsets and `elementCount % 32 === 0`; the caller
 * checks (see `canUnshuffle32`) and falls back to the byte-wise path otherwise.
 */

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/** Whether `unshuffle32` applies to this block of 4-byte elements. */
export function canUnshuffle32(
  src: Uint8Array,
  srcOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  elementCount: number,
): boolean {
  return (
    HOST_LITTLE_ENDIAN &&
    elementCount % 32 === 0 &&
    (src.byteOffset + srcOffset) % 4 === 0 &&
    (dst.byteOffset + dstOffset) % 4 === 0
  )
}

/** Scratch for the 8 bit-transposed words of each of 4 byte planes of 4 element groups. */
const planes = new Int32Array(32)

/**
 * Unshuffles one block of `elementCount` 4-byte elements. Preconditions as `canUnshuffle32`
 * and ranges already checked by the caller.
 */
export function unshuffle32(
  src: Uint8Array,
  srcOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  elementCount: number,
): void {
  const rowWords = elementCount >>> 5
  const rows = new Int32Array(src.buffer, src.byteOffset + srcOffset, elementCount)
  const out = new Int32Array(dst.buffer, dst.byteOffset + dstOffset, elementCount)
  for (let k = 0; k < rowWords; k++) {
    // For each byte plane j: rows 8j..8j+7, one word each = 4 consecutive groups of 8.
    for (let j = 0; j < 4; j++) {
      const r = 8 * j * rowWords + k
      let a = rows[r]!
      let b = rows[r + rowWords]!
      let c = rows[r + 2 * rowWords]!
      let d = rows[r + 3 * rowWords]!
      let e = rows[r + 4 * rowWords]!
      let f = rows[r + 5 * rowWords]!
      let g = rows[r + 6 * rowWords]!
      let h = rows[r + 7 * rowWords]!
      // 4×4 byte transposes: word q of (a,b,c,d) = byte q of each row = "lo" of group q.
      let t = ((a >>> 8) ^ b) & 0x00ff00ff
      b ^= t
      a ^= t << 8
      t = ((c >>> 8) ^ d) & 0x00ff00ff
      d ^= t
      c ^= t << 8
      t = ((a >>> 16) ^ c) & 0xffff
      c ^= t
      a ^= t << 16
      t = ((b >>> 16) ^ d) & 0xffff
      d ^= t
      b ^= t << 16
      t = ((e >>> 8) ^ f) & 0x00ff00ff
      f ^= t
      e ^= t << 8
      t = ((g >>> 8) ^ h) & 0x00ff00ff
      h ^= t
      g ^= t << 8
      t = ((e >>> 16) ^ g) & 0xffff
      g ^= t
      e ^= t << 16
      t = ((f >>> 16) ^ h) & 0xffff
      h ^= t
      f ^= t << 16
      // Now (a,e), (b,f), (c,g), (d,h) are the (lo,hi) halves of groups 0..3.
      transpose8x8(a, e, j, 0)
      transpose8x8(b, f, j, 1)
      transpose8x8(c, g, j, 2)
      transpose8x8(d, h, j, 3)
    }
    // planes[8j + 2q] / [8j + 2q + 1]: byte j of elements 0..3 / 4..7 of group q.
    let at = 32 * k
    for (let q = 0; q < 4; q++) {
      for (let half = 0; half < 2; half++) {
        const i = 2 * q + half
        let a = planes[i]!
        let b = planes[8 + i]!
        let c = planes[16 + i]!
        let d = planes[24 + i]!
        let t = ((a >>> 8) ^ b) & 0x00ff00ff
        b ^= t
        a ^= t << 8
        t = ((c >>> 8) ^ d) & 0x00ff00ff
        d ^= t
        c ^= t << 8
        t = ((a >>> 16) ^ c) & 0xffff
        c ^= t
        a ^= t << 16
        t = ((b >>> 16) ^ d) & 0xffff
        d ^= t
        b ^= t << 16
        out[at++] = a
        out[at++] = b
        out[at++] = c
        out[at++] = d
      }
    }
  }
}

/** 8×8 bit transpose of (lo, hi); stores the result in `planes` for byte `j`, group `q`. */
function transpose8x8(lo: number, hi: number, j: number, q: number): void {
  if ((lo | hi) !== 0) {
    let t = (lo ^ (lo >>> 7)) & 0x00aa00aa
    lo = lo ^ t ^ (t << 7)
    t = (hi ^ (hi >>> 7)) & 0x00aa00aa
    hi = hi ^ t ^ (t << 7)
    t = (lo ^ (lo >>> 14)) & 0x0000cccc
    lo = lo ^ t ^ (t << 14)
    t = (hi ^ (hi >>> 14)) & 0x0000cccc
    hi = hi ^ t ^ (t << 14)
    t = (lo ^ (hi << 4)) & 0xf0f0f0f0
    lo ^= t
    hi ^= t >>> 4
  }
  planes[8 * j + 2 * q] = lo
  planes[8 * j + 2 * q + 1] = hi
}
