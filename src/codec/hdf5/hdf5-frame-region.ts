import { ConfigError } from '../../errors.js'

/** Number of elements of `dims`. @throws ConfigError when it is not a safe integer. */
export function product(dims: readonly number[]): number {
  let n = 1
  for (const d of dims) n *= d
  if (!Number.isSafeInteger(n)) throw new ConfigError(`dimensions [${dims}] are too large`)
  return n
}

/**
 * Copy the part of one chunk's slab (the elements of one frame inside the chunk, starting at
 * byte `slab`) that lies inside the frame into `out`, the chunk being at grid position `at`.
 */
export function copyRegion(
  chunk: Uint8Array,
  slab: number,
  out: Uint8Array,
  frameShape: readonly number[],
  chunkShape: readonly number[],
  at: readonly number[],
  itemSize: number,
): void {
  const rank = frameShape.length
  const origin = at.map((c, d) => c * chunkShape[d]!)
  const extent = origin.map((o, d) => Math.min(chunkShape[d]!, frameShape[d]! - o))
  const runBytes = extent[rank - 1]! * itemSize
  const inner = extent.slice(0, -1).map(() => 0)
  for (;;) {
    let src = 0
    let dst = 0
    for (let d = 0; d < rank; d++) {
      const k = d < rank - 1 ? inner[d]! : 0
      src = src * chunkShape[d]! + k
      dst = dst * frameShape[d]! + origin[d]! + k
    }
    out.set(chunk.subarray(slab + src * itemSize, slab + src * itemSize + runBytes), dst * itemSize)
    let d = rank - 2
    while (d >= 0 && ++inner[d]! >= extent[d]!) inner[d--] = 0
    if (d < 0) return
  }
}
