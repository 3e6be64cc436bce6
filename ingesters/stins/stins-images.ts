import type { DtypeName, NumericArray } from '../../src/internal.js'

/** Options of {@link createSpotImages}. */
export interface SpotImageOptions {
  /** `[rows, cols]`. */
  readonly shape: readonly [number, number]
  readonly dtype: DtypeName
  /** Mean background counts per pixel. Default 2. */
  readonly background?: number
  /** Peak counts of the spot. Default 200. */
  readonly peak?: number
  /** Seed of the (deterministic) noise. Default 1. */
  readonly seed?: number
}

const BACKGROUNDS = 4

/** mulberry32: a small deterministic PRNG, so simulated scans are reproducible. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A Poisson sample (Knuth's method for small means, a normal approximation above 30). */
function poisson(mean: number, rand: () => number): number {
  if (mean > 30) {
    const u = Math.max(rand(), 1e-12)
    const g = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand())
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * g))
  }
  const limit = Math.exp(-mean)
  let k = 0
  let p = rand()
  while (p > limit) {
    k++
    p *= rand()
  }
  return k
}

function makeArray(dtype: DtypeName, length: number): NumericArray {
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(length)
    case 'int8':
      return new Int8Array(length)
    case 'uint16':
      return new Uint16Array(length)
    case 'int16':
      return new Int16Array(length)
    case 'uint32':
      return new Uint32Array(length)
    case 'int32':
      return new Int32Array(length)
    case 'uint64':
      return new BigUint64Array(length)
    case 'int64':
      return new BigInt64Array(length)
    case 'float32':
      return new Float32Array(length)
    case 'float64':
      return new Float64Array(length)
  }
}

function put(array: NumericArray, i: number, value: number): void {
  if (array instanceof BigUint64Array || array instanceof BigInt64Array) array[i] = BigInt(value)
  else array[i] = value
}

/**
 * Realistic-looking detector frames: Poisson background counts and a Gaussian spot that
 * circles the image, one frame per call. The noise comes from a few precomputed backgrounds,
 * so large frames stay cheap; each frame is a new array (it may be sent without copying).
 */
export function createSpotImages(options: SpotImageOptions): (frame: number) => NumericArray {
  const [rows, cols] = options.shape
  const size = rows * cols
  const rand = random(options.seed ?? 1)
  const mean = options.background ?? 2
  const peak = options.peak ?? 200
  const max = options.dtype === 'uint8' || options.dtype === 'int8' ? 120 : Number.MAX_SAFE_INTEGER
  const backgrounds: NumericArray[] = []
  for (let b = 0; b < BACKGROUNDS; b++) {
    const bg = makeArray(options.dtype, size)
    for (let i = 0; i < size; i++) put(bg, i, poisson(mean, rand))
    backgrounds.push(bg)
  }
  const sigma = Math.max(1, Math.min(rows, cols) / 16)
  const reach = Math.ceil(3 * sigma)
  return (frame) => {
    const image = makeArray(options.dtype, size)
    ;(image as Uint8Array).set(backgrounds[frame % BACKGROUNDS] as Uint8Array)
    const angle = (frame / 50) * 2 * Math.PI
    const cy = rows / 2 + (rows / 4) * Math.sin(angle)
    const cx = cols / 2 + (cols / 4) * Math.cos(angle)
    for (let y = Math.max(0, Math.floor(cy - reach)); y < Math.min(rows, cy + reach); y++) {
      for (let x = Math.max(0, Math.floor(cx - reach)); x < Math.min(cols, cx + reach); x++) {
        const d2 = (y - cy) ** 2 + (x - cx) ** 2
        const i = y * cols + x
        const value = Number(image[i]) + Math.round(peak * Math.exp(-d2 / (2 * sigma * sigma)))
        put(image, i, Math.min(value, max))
      }
    }
    return image
  }
}
