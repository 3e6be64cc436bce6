import { canUnshuffle32, unshuffle32 } from './bitshuffle-unshuffle32.js'

/**
 * The bit transposition of bitshuffle (Masui et al.), for one block of `elementCount`
 * elements of `elementSize` bytes, `elementCount` a multiple of 8.
 *
 * Shuffled layout: `elementSize * 8` rows of `elementCount / 8` bytes. Row `8 * j + b` holds
 * bit `b` of byte `j` of every element: bit `m` of the row's byte `k` is bit `b` of byte `j`
 * of element `8 * k + m`. Both directions work on groups of 8 elements and 8 rows with an
 * 8×8 bit-matrix transpose in two 32-bit halves, never bit by bit.
 */

function checkBlock(
  src: Uint8Array,
  srcOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  elementCount: number,
  elementSize: number,
): void {
  const bytes = elementCount * elementSize
  if (
    elementCount % 8 !== 0 ||
    !Number.isInteger(elementSize) ||
    elementSize < 1 ||
    srcOffset < 0 ||
    dstOffset < 0 ||
    srcOffset + bytes > src.length ||
    dstOffset + bytes > dst.length
  ) {
    throw new RangeError(
      `bitshuffle: ${elementCount} elements of ${elementSize} bytes do not fit (src ${srcOffset}/${src.length}, dst ${dstOffset}/${dst.length})`,
    )
  }
}

/**
 * Reverses bitshuffle for one block: reads the shuffled rows at `src[srcOffset…]` and writes
 * `elementCount` plain elements to `dst[dstOffset…]`.
 *
 * @throws RangeError when `elementCount` is not a multiple of 8 or a range does not fit
 *   (a programming error, not bad data: callers size blocks from validated headers).
 */
export function bitunshuffleBlock(
  src: Uint8Array,
  srcOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  elementCount: number,
  elementSize: number,
): void {
  checkBlock(src, srcOffset, dst, dstOffset, elementCount, elementSize)
  if (elementSize === 4 && canUnshuffle32(src, srcOffset, dst, dstOffset, elementCount)) {
    unshuffle32(src, srcOffset, dst, dstOffset, elementCount)
    return
  }
  const rowBytes = elementCount >>> 3
  const groupBytes = 8 * elementSize
  for (let j = 0; j < elementSize; j++) {
    const rows = srcOffset + j * 8 * rowBytes
    let out = dstOffset + j
    for (let k = 0; k < rowBytes; k++) {
      const r = rows + k
      let lo =
        src[r]! |
        (src[r + rowBytes]! << 8) |
        (src[r + 2 * rowBytes]! << 16) |
        (src[r + 3 * rowBytes]! << 24)
      let hi =
        src[r + 4 * rowBytes]! |
        (src[r + 5 * rowBytes]! << 8) |
        (src[r + 6 * rowBytes]! << 16) |
        (src[r + 7 * rowBytes]! << 24)
      if ((lo | hi) !== 0) {
        // 8×8 bit transpose: byte b, bit m  ->  byte m, bit b.
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
      dst[out] = lo
      dst[out + elementSize] = lo >>> 8
      dst[out + 2 * elementSize] = lo >>> 16
      dst[out + 3 * elementSize] = lo >>> 24
      dst[out + 4 * elementSize] = hi
      dst[out + 5 * elementSize] = hi >>> 8
      dst[out + 6 * elementSize] = hi >>> 16
      dst[out + 7 * elementSize] = hi >>> 24
      out += groupBytes
    }
  }
}

/**
 * Applies bitshuffle to one block: reads `elementCount` plain elements at `src[srcOffset…]`
 * and writes the shuffled rows to `dst[dstOffset…]`. Inverse of `bitunshuffleBlock`.
 *
 * @throws RangeError when `elementCount` is not a multiple of 8 or a range does not fit.
 */
export function bitshuffleBlock(
  src: Uint8Array,
  srcOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  elementCount: number,
  elementSize: number,
): void {
  checkBlock(src, srcOffset, dst, dstOffset, elementCount, elementSize)
  const rowBytes = elementCount >>> 3
  const groupBytes = 8 * elementSize
  for (let j = 0; j < elementSize; j++) {
    const rows = dstOffset + j * 8 * rowBytes
    let at = srcOffset + j
    for (let k = 0; k < rowBytes; k++) {
      let lo =
        src[at]! |
        (src[at + elementSize]! << 8) |
        (src[at + 2 * elementSize]! << 16) |
        (src[at + 3 * elementSize]! << 24)
      let hi =
        src[at + 4 * elementSize]! |
        (src[at + 5 * elementSize]! << 8) |
        (src[at + 6 * elementSize]! << 16) |
        (src[at + 7 * elementSize]! << 24)
      // The transpose is its own inverse.
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
      const r = rows + k
      dst[r] = lo
      dst[r + rowBytes] = lo >>> 8
      dst[r + 2 * rowBytes] = lo >>> 16
      dst[r + 3 * rowBytes] = lo >>> 24
      dst[r + 4 * rowBytes] = hi
      dst[r + 5 * rowBytes] = hi >>> 8
      dst[r + 6 * rowBytes] = hi >>> 16
      dst[r + 7 * rowBytes] = hi >>> 24
      at += groupBytes
    }
  }
}
