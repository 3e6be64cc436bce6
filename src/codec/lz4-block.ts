import { ProtocolError } from '../errors.js'

/**
 * Decompresses one raw LZ4 block (no frame format) from `src` into `dst[dstOffset, dstEnd)`
 * and returns the number of bytes written.
 *
 * This is the seam where a native or WASM LZ4 can replace the TypeScript one: anything with
 * this signature and these guarantees (never writes outside `[dstOffset, dstEnd)`, throws
 * `ProtocolError` with code `DECODE_FAILED` on malformed input) can be passed to the
 * bitshuffle-LZ4 decoder.
 */
export type Lz4BlockDecompressor = (
  src: Uint8Array,
  dst: Uint8Array,
  dstOffset: number,
  dstEnd: number,
) => number

/** Below this many bytes a plain loop beats `set`/`copyWithin` (no subarray, no call). */
const SHORT_COPY_BYTES = 16

function fail(reason: string, at: number): ProtocolError {
  return new ProtocolError(`LZ4 block: ${reason} (input byte ${at})`, { code: 'DECODE_FAILED' })
}

/**
 * Decompresses one raw LZ4 block into `dst` starting at `dstOffset`, writing at most up to
 * `dstEnd` (exclusive, default `dst.length`). Returns the number of bytes written.
 *
 * Match offsets may only reach back to `dstOffset`: bytes before it are never read, so blocks
 * are independent as LZ4 requires. The whole input must be consumed and must end with a
 * literal-only sequence.
 *
 * @throws ProtocolError with code `DECODE_FAILED` when the block is malformed: it ends early,
 *   a match offset is zero or reaches before `dstOffset`, or the output would pass `dstEnd`.
 *   Never writes outside `[dstOffset, dstEnd)` and always terminates (every step consumes
 *   input).
 */
export function decompressLz4Block(
  src: Uint8Array,
  dst: Uint8Array,
  dstOffset = 0,
  dstEnd: number = dst.length,
): number {
  if (
    !Number.isInteger(dstOffset) ||
    !Number.isInteger(dstEnd) ||
    dstOffset < 0 ||
    dstOffset > dstEnd ||
    dstEnd > dst.length
  ) {
    throw new ProtocolError(
      `LZ4 block: output range [${dstOffset}, ${dstEnd}) does not fit a buffer of ${dst.length} bytes`,
      { code: 'DECODE_FAILED' },
    )
  }
  const srcEnd = src.length
  let s = 0
  let d = dstOffset
  for (;;) {
    if (s >= srcEnd) throw fail('block ends before its final literal run', s)
    const token = src[s++]!

    let literals = token >>> 4
    if (literals === 15) {
      let more: number
      do {
        if (s >= srcEnd) throw fail('literal length runs past the end', s)
        more = src[s++]!
        literals += more
      } while (more === 255)
    }
    if (literals > 0) {
      if (literals > srcEnd - s) throw fail(`${literals} literals run past the end`, s)
      if (literals > dstEnd - d) throw fail('literals overrun the output', s)
      if (literals < SHORT_COPY_BYTES) {
        for (const end = s + literals; s < end; ) dst[d++] = src[s++]!
      } else {
        dst.set(src.subarray(s, s + literals), d)
        s += literals
        d += literals
      }
    }
    // The last sequence of a block carries literals only.
    if (s === srcEnd) return d - dstOffset

    if (srcEnd - s < 2) throw fail('match offset cut off', s)
    const offset = src[s]! | (src[s + 1]! << 8)
    s += 2
    if (offset === 0 || offset > d - dstOffset) throw fail(`match offset ${offset} out of range`, s)

    let length = (token & 15) + 4
    if (length === 19) {
      let more: number
      do {
        if (s >= srcEnd) throw fail('match length runs past the end', s)
        more = src[s++]!
        length += more
      } while (more === 255)
    }
    if (length > dstEnd - d) throw fail('match overruns the output', s)
    copyMatch(dst, d, offset, length)
    d += length
  }
}

/**
 * LZ4 match copy: `dst[d + i] = dst[d + i - offset]` for i in [0, length), where the source
 * may overlap the destination (a short repeating pattern).
 */
function copyMatch(dst: Uint8Array, d: number, offset: number, length: number): void {
  const m = d - offset
  if (length < SHORT_COPY_BYTES) {
    for (let i = 0; i < length; i++) dst[d + i] = dst[m + i]!
  } else if (offset >= length) {
    dst.copyWithin(d, m, m + length)
  } else if (offset === 1) {
    dst.fill(dst[m]!, d, d + length)
  } else {
    // The output is periodic with period `offset`; copy whole periods from the start of the
    // pattern, doubling each time, so every source byte is already written (no overlap).
    let done = 0
    while (done < length) {
      const n = Math.min(done + offset, length - done)
      dst.copyWithin(d + done, m, m + n)
      done += n
    }
  }
}
