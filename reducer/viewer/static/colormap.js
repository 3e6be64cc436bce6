// A viridis-like colour map: 256 RGB entries interpolated from control points of viridis.

const STOPS = [
  [0.0, 68, 1, 84],
  [0.13, 71, 44, 122],
  [0.25, 59, 81, 139],
  [0.38, 44, 113, 142],
  [0.5, 33, 144, 141],
  [0.63, 39, 173, 129],
  [0.75, 92, 200, 99],
  [0.88, 170, 220, 50],
  [1.0, 253, 231, 37],
]

/** 256 × [r, g, b] as one Uint8Array of 768 bytes. */
export const VIRIDIS = (() => {
  const lut = new Uint8Array(256 * 3)
  for (let i = 0; i < 256; i++) {
    const t = i / 255
    let k = 1
    while (k < STOPS.length - 1 && STOPS[k][0] < t) k++
    const [t0, r0, g0, b0] = STOPS[k - 1]
    const [t1, r1, g1, b1] = STOPS[k]
    const u = (t - t0) / (t1 - t0)
    lut[i * 3] = Math.round(r0 + (r1 - r0) * u)
    lut[i * 3 + 1] = Math.round(g0 + (g1 - g0) * u)
    lut[i * 3 + 2] = Math.round(b0 + (b1 - b0) * u)
  }
  return lut
})()
