// 2-D numeric data as an image with a viridis colour scale and a colour bar (min, max, ticks).
import { finiteRange, formatNumber, niceTicks, prepareCanvas } from './axes.js'
import { VIRIDIS } from './colormap.js'

const BAR_WIDTH = 16
const BAR_SPACE = 72

/**
 * Draw `rows` (an array of equal-length numeric rows) on `canvas`, scaled to fit with square
 * pixels; non-finite values are drawn grey.
 */
export function drawImage(canvas, rows) {
  const h = rows.length
  const w = h > 0 ? rows[0].length : 0
  const { ctx, width, height } = prepareCanvas(canvas)
  ctx.fillStyle = '#fff'
  ctx.fillRect(0, 0, width, height)
  if (w === 0 || h === 0) return
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (const row of rows) {
    const r = finiteRange(row)
    if (r.min < min) min = r.min
    if (r.max > max) max = r.max
  }
  if (min > max) {
    min = 0
    max = 0
  }
  const pixels = new ImageData(w, h)
  const scale = max > min ? 255 / (max - min) : 0
  for (let j = 0; j < h; j++) {
    const row = rows[j]
    for (let i = 0; i < w; i++) {
      const v = row[i]
      const at = (j * w + i) * 4
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        pixels.data[at] = pixels.data[at + 1] = pixels.data[at + 2] = 160
      } else {
        const k = Math.max(0, Math.min(255, Math.round((v - min) * scale))) * 3
        pixels.data[at] = VIRIDIS[k]
        pixels.data[at + 1] = VIRIDIS[k + 1]
        pixels.data[at + 2] = VIRIDIS[k + 2]
      }
      pixels.data[at + 3] = 255
    }
  }
  const source = document.createElement('canvas')
  source.width = w
  source.height = h
  source.getContext('2d').putImageData(pixels, 0, 0)
  const areaW = width - BAR_SPACE - 8
  const areaH = height - 8
  const k = Math.min(areaW / w, areaH / h)
  ctx.imageSmoothingEnabled = false
  ctx.drawImage(source, 4, 4, w * k, h * k)
  drawColourBar(ctx, width - BAR_SPACE + 8, 4, areaH, min, max)
}

function drawColourBar(ctx, x, y, h, min, max) {
  for (let p = 0; p < h; p++) {
    const k = Math.round((1 - p / Math.max(1, h - 1)) * 255) * 3
    ctx.fillStyle = `rgb(${VIRIDIS[k]},${VIRIDIS[k + 1]},${VIRIDIS[k + 2]})`
    ctx.fillRect(x, y + p, BAR_WIDTH, 1)
  }
  ctx.strokeStyle = '#333'
  ctx.strokeRect(x + 0.5, y + 0.5, BAR_WIDTH, h - 1)
  ctx.fillStyle = '#333'
  ctx.font = '11px sans-serif'
  ctx.textAlign = 'left'
  ctx.textBaseline = 'middle'
  const at = (v) => (max > min ? y + (1 - (v - min) / (max - min)) * (h - 1) : y + h / 2)
  const labelX = x + BAR_WIDTH + 4
  for (const t of niceTicks(min, max, 4)) {
    const ty = at(t)
    // Ticks next to the ends would overwrite the min and max labels.
    if (ty > y + 16 && ty < y + h - 16) ctx.fillText(formatNumber(t), labelX, ty)
  }
  ctx.textBaseline = 'top'
  ctx.fillText(formatNumber(max), labelX, y)
  ctx.textBaseline = 'bottom'
  ctx.fillText(formatNumber(min), labelX, y + h)
}
