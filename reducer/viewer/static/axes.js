// Axis helpers of the image plot and its colour bar. Pure but for `prepareCanvas`.

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min, max, count = 5) {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return []
  if (min === max) return [min]
  const lo = Math.min(min, max)
  const hi = Math.max(min, max)
  const raw = (hi - lo) / count
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag
  const ticks = []
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v)
  }
  return ticks
}

/** Decades (1, 10, 100, …) within [min, max] (both > 0), for a log colour scale. */
export function logTicks(min, max) {
  if (!(min > 0) || !(max > 0)) return []
  const ticks = []
  for (let e = Math.ceil(Math.log10(min)); e <= Math.floor(Math.log10(max)); e++)
    ticks.push(10 ** e)
  return ticks
}

/** A short label for a tick or a bound. */
export function formatNumber(v) {
  if (!Number.isFinite(v)) return String(v)
  const a = Math.abs(v)
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2)
  return String(Number(v.toPrecision(4)))
}

/**
 * Where the cells of an axis are: `edges` (length n + 1) from the axis values (cell centres,
 * half a step beyond the ends), or the index `0 … n` without values. Pure.
 */
export function cellEdges(values, n) {
  if (values === undefined || values.length !== n || n === 0) {
    return Float64Array.from({ length: n + 1 }, (_, i) => i - 0.5)
  }
  const edges = new Float64Array(n + 1)
  if (n === 1) {
    edges[0] = values[0] - 0.5
    edges[1] = values[0] + 0.5
    return edges
  }
  for (let i = 1; i < n; i++) edges[i] = (values[i - 1] + values[i]) / 2
  edges[0] = values[0] - (values[1] - values[0]) / 2
  edges[n] = values[n - 1] + (values[n - 1] - values[n - 2]) / 2
  return edges
}

/** Size the canvas's backing store to its CSS size × devicePixelRatio; returns the 2-D context. */
export function prepareCanvas(canvas, width, height) {
  const ratio = window.devicePixelRatio || 1
  canvas.style.width = `${width}px`
  canvas.style.height = `${height}px`
  canvas.width = Math.max(1, Math.round(width * ratio))
  canvas.height = Math.max(1, Math.round(height * ratio))
  const ctx = canvas.getContext('2d')
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0)
  ctx.clearRect(0, 0, width, height)
  return ctx
}
