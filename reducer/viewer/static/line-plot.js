// 1-D numeric data as a line plot on a canvas, with axes, ticks and labels.
import { finiteRange, formatNumber, niceTicks, prepareCanvas } from './axes.js'

const MARGIN = { left: 64, right: 16, top: 12, bottom: 36 }

/** Draw `y` (numbers) against its index on `canvas`. */
export function drawLinePlot(canvas, y) {
  const { ctx, width, height } = prepareCanvas(canvas)
  const plotW = width - MARGIN.left - MARGIN.right
  const plotH = height - MARGIN.top - MARGIN.bottom
  const n = y.length
  const { min, max } = finiteRange(y)
  const pad = max === min ? Math.abs(max) * 0.1 || 1 : 0
  const y0 = min - pad
  const y1 = max + pad
  const x1 = Math.max(1, n - 1)
  const px = (i) => MARGIN.left + (i / x1) * plotW
  const py = (v) => MARGIN.top + plotH - ((v - y0) / (y1 - y0)) * plotH

  ctx.fillStyle = '#fff'
  ctx.fillRect(0, 0, width, height)
  ctx.font = '11px sans-serif'
  ctx.strokeStyle = '#e3e3e3'
  ctx.fillStyle = '#333'
  ctx.lineWidth = 1
  ctx.textAlign = 'right'
  ctx.textBaseline = 'middle'
  for (const t of niceTicks(y0, y1, 5)) {
    const yy = Math.round(py(t)) + 0.5
    ctx.beginPath()
    ctx.moveTo(MARGIN.left, yy)
    ctx.lineTo(MARGIN.left + plotW, yy)
    ctx.stroke()
    ctx.fillText(formatNumber(t), MARGIN.left - 6, yy)
  }
  ctx.textAlign = 'center'
  ctx.textBaseline = 'top'
  for (const t of niceTicks(0, x1, 6)) {
    if (t !== Math.round(t)) continue
    const xx = Math.round(px(t)) + 0.5
    ctx.beginPath()
    ctx.moveTo(xx, MARGIN.top)
    ctx.lineTo(xx, MARGIN.top + plotH)
    ctx.stroke()
    ctx.fillText(formatNumber(t), xx, MARGIN.top + plotH + 6)
  }
  ctx.fillText('index', MARGIN.left + plotW / 2, height - 14)
  ctx.strokeStyle = '#333'
  ctx.strokeRect(MARGIN.left + 0.5, MARGIN.top + 0.5, plotW, plotH)

  ctx.strokeStyle = '#1f77b4'
  ctx.lineWidth = 1.5
  ctx.beginPath()
  let drawing = false
  for (let i = 0; i < n; i++) {
    const v = y[i]
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      drawing = false
      continue
    }
    if (drawing) ctx.lineTo(px(i), py(v))
    else ctx.moveTo(px(i), py(v))
    drawing = true
  }
  if (n === 1 && Number.isFinite(y[0])) ctx.arc(px(0), py(y[0]), 2, 0, 2 * Math.PI)
  ctx.stroke()
}
