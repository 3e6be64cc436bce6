// 2-D data as an image on its real axes (cell edges from the axis values), with the aspect of
// the data kept (square cells without axes, or when the axes have different units), a viridis
// colour bar right beside it on a linear or log scale, and the value under the cursor.
import { cellEdges, formatNumber, logTicks, niceTicks, prepareCanvas } from './axes.js'
import { VIRIDIS } from './colormap.js'
import { finiteRange } from './data.js'

const M = { left: 64, right: 8, top: 8, bottom: 44 }
const BAR = { gap: 10, width: 14, labels: 64 }
const MAX_HEIGHT = 460

/** Colour of a value on the scale (`undefined`: not drawable, e.g. ≤ 0 on a log scale). */
function colourIndex(v, scale) {
  if (!Number.isFinite(v)) return undefined
  let t
  if (scale.log) {
    if (v <= 0) return undefined
    t = (Math.log10(v) - Math.log10(scale.min)) / (Math.log10(scale.max) - Math.log10(scale.min))
  } else t = (v - scale.min) / (scale.max - scale.min)
  if (!Number.isFinite(t)) t = 0.5
  return Math.max(0, Math.min(255, Math.round(t * 255))) * 3
}

/**
 * An image living in `container`: `draw({image, x, y, xLabel, yLabel, zLabel, sameUnits})`
 * with `image` = {rows, cols, data} and optional axis values `x` (columns) and `y` (rows).
 */
export class ImagePlot {
  constructor(container) {
    this.container = container
    this.log = false
    const bar = document.createElement('div')
    bar.className = 'plot-bar'
    const scale = document.createElement('select')
    scale.className = 'colour-scale'
    scale.title = 'colour scale'
    scale.append(new Option('linear', 'linear'), new Option('log', 'log'))
    scale.addEventListener('change', () => {
      this.log = scale.value === 'log'
      if (this.last) this.draw(this.last)
    })
    bar.append(scale)
    this.canvas = document.createElement('canvas')
    this.canvas.className = 'image'
    this.readout = document.createElement('div')
    this.readout.className = 'readout muted'
    this.readout.textContent = ' '
    container.replaceChildren(bar, this.canvas, this.readout)
    this.canvas.addEventListener('mousemove', (e) => this.#hover(e))
    this.canvas.addEventListener('mouseleave', () => (this.readout.textContent = ' '))
  }

  draw(spec) {
    this.last = spec
    const { image, x, y } = spec
    const { rows, cols, data } = image
    this.xEdges = cellEdges(x, cols)
    this.yEdges = cellEdges(y, rows)
    // Data coordinates grow upwards when the rows have an axis; an index image has row 0 on top.
    this.yUp = y !== undefined
    const span = (e) => Math.abs(e[e.length - 1] - e[0]) || 1
    const aspect = spec.sameUnits ? span(this.xEdges) / span(this.yEdges) : cols / rows
    const full = Math.max(240, this.container.clientWidth || 520)
    let w = full - M.left - M.right - BAR.gap - BAR.width - BAR.labels
    let h = w / aspect
    if (h > MAX_HEIGHT) {
      h = MAX_HEIGHT
      w = h * aspect
    }
    this.box = { x: M.left, y: M.top, w, h }
    const ctx = prepareCanvas(
      this.canvas,
      M.left + w + BAR.gap + BAR.width + BAR.labels + M.right,
      M.top + h + M.bottom,
    )
    const range = finiteRange(data, this.log) ?? { min: this.log ? 1 : 0, max: 1 }
    const scale = { ...range, log: this.log }
    if (scale.max === scale.min) scale.max = scale.min + (this.log ? scale.min : 1)
    this.scale = scale

    // Row r of the data goes to canvas row rows-1-r when its y value grows upwards.
    this.bottomUp = this.yUp !== this.yEdges[rows] < this.yEdges[0]
    const pixels = new ImageData(cols, rows)
    for (let r = 0; r < rows; r++) {
      const out = this.bottomUp ? rows - 1 - r : r
      for (let c = 0; c < cols; c++) {
        const k = colourIndex(data[r * cols + c], scale)
        const at = (out * cols + c) * 4
        if (k === undefined) pixels.data[at] = pixels.data[at + 1] = pixels.data[at + 2] = 190
        else {
          pixels.data[at] = VIRIDIS[k]
          pixels.data[at + 1] = VIRIDIS[k + 1]
          pixels.data[at + 2] = VIRIDIS[k + 2]
        }
        pixels.data[at + 3] = 255
      }
    }
    const source = document.createElement('canvas')
    source.width = cols
    source.height = rows
    source.getContext('2d').putImageData(pixels, 0, 0)
    ctx.imageSmoothingEnabled = false
    // Flipped horizontally when the x axis values decrease.
    const xFlip = this.xEdges[cols] < this.xEdges[0]
    ctx.save()
    if (xFlip) {
      ctx.translate(M.left + w, 0)
      ctx.scale(-1, 1)
      ctx.drawImage(source, 0, M.top, w, h)
    } else ctx.drawImage(source, M.left, M.top, w, h)
    ctx.restore()
    ctx.strokeStyle = '#333'
    ctx.strokeRect(M.left + 0.5, M.top + 0.5, w, h)
    this.#axes(ctx, spec)
    this.#colourBar(ctx, spec)
  }

  #xPos(v) {
    const e = this.xEdges
    const lo = Math.min(e[0], e[e.length - 1])
    const hi = Math.max(e[0], e[e.length - 1])
    return this.box.x + ((v - lo) / (hi - lo)) * this.box.w
  }

  #yPos(v) {
    const e = this.yEdges
    const lo = Math.min(e[0], e[e.length - 1])
    const hi = Math.max(e[0], e[e.length - 1])
    const t = (v - lo) / (hi - lo)
    return this.yUp ? this.box.y + (1 - t) * this.box.h : this.box.y + t * this.box.h
  }

  #axes(ctx, spec) {
    const { x: bx, y: by, w, h } = this.box
    ctx.fillStyle = '#333'
    ctx.strokeStyle = '#333'
    ctx.font = '11px sans-serif'
    const xe = this.xEdges
    const ye = this.yEdges
    ctx.textAlign = 'center'
    ctx.textBaseline = 'top'
    for (const t of niceTicks(Math.min(xe[0], xe.at(-1)), Math.max(xe[0], xe.at(-1)), 6)) {
      const px = Math.round(this.#xPos(t)) + 0.5
      ctx.beginPath()
      ctx.moveTo(px, by + h)
      ctx.lineTo(px, by + h + 4)
      ctx.stroke()
      ctx.fillText(formatNumber(t), px, by + h + 6)
    }
    ctx.fillText(spec.xLabel, bx + w / 2, by + h + 24)
    ctx.textAlign = 'right'
    ctx.textBaseline = 'middle'
    for (const t of niceTicks(Math.min(ye[0], ye.at(-1)), Math.max(ye[0], ye.at(-1)), 6)) {
      const py = Math.round(this.#yPos(t)) + 0.5
      ctx.beginPath()
      ctx.moveTo(bx - 4, py)
      ctx.lineTo(bx, py)
      ctx.stroke()
      ctx.fillText(formatNumber(t), bx - 6, py)
    }
    ctx.save()
    ctx.translate(14, by + h / 2)
    ctx.rotate(-Math.PI / 2)
    ctx.textAlign = 'center'
    ctx.fillText(spec.yLabel, 0, 0)
    ctx.restore()
  }

  #colourBar(ctx, spec) {
    const { x: bx, y: by, w, h } = this.box
    const x0 = bx + w + BAR.gap
    for (let p = 0; p < h; p++) {
      const k = Math.round((1 - p / Math.max(1, h - 1)) * 255) * 3
      ctx.fillStyle = `rgb(${VIRIDIS[k]},${VIRIDIS[k + 1]},${VIRIDIS[k + 2]})`
      ctx.fillRect(x0, by + p, BAR.width, 1)
    }
    ctx.strokeStyle = '#333'
    ctx.strokeRect(x0 + 0.5, by + 0.5, BAR.width, h - 1)
    const { min, max, log } = this.scale
    const at = (v) => {
      const t = log
        ? (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))
        : (v - min) / (max - min)
      return by + (1 - t) * (h - 1)
    }
    ctx.fillStyle = '#333'
    ctx.font = '11px sans-serif'
    ctx.textAlign = 'left'
    ctx.textBaseline = 'middle'
    const lx = x0 + BAR.width + 4
    for (const t of log ? logTicks(min, max) : niceTicks(min, max, 5)) {
      const ty = at(t)
      if (ty > by + 14 && ty < by + h - 14) ctx.fillText(formatNumber(t), lx, ty)
    }
    ctx.textBaseline = 'top'
    ctx.fillText(formatNumber(max), lx, by)
    ctx.textBaseline = 'bottom'
    ctx.fillText(formatNumber(min), lx, by + h)
    if (spec.zLabel) {
      ctx.save()
      ctx.translate(lx + BAR.labels - 8, by + h / 2)
      ctx.rotate(Math.PI / 2)
      ctx.textAlign = 'center'
      ctx.textBaseline = 'bottom'
      ctx.fillText(spec.zLabel, 0, 0)
      ctx.restore()
    }
  }

  #hover(e) {
    if (!this.last || !this.box) return
    const rect = this.canvas.getBoundingClientRect()
    const px = e.clientX - rect.left
    const py = e.clientY - rect.top
    const { x: bx, y: by, w, h } = this.box
    if (px < bx || px > bx + w || py < by || py > by + h) {
      this.readout.textContent = ' '
      return
    }
    const { rows, cols, data } = this.last.image
    const xFlip = this.xEdges[cols] < this.xEdges[0]
    let c = Math.min(cols - 1, Math.floor(((px - bx) / w) * cols))
    if (xFlip) c = cols - 1 - c
    const fromTop = Math.min(rows - 1, Math.floor(((py - by) / h) * rows))
    const r = this.bottomUp ? rows - 1 - fromTop : fromTop
    const xv = this.last.x ? this.last.x[c] : c
    const yv = this.last.y ? this.last.y[r] : r
    this.readout.textContent =
      `${this.last.xLabel} = ${formatNumber(xv)}, ${this.last.yLabel} = ${formatNumber(yv)}, ` +
      `${this.last.zLabel} = ${formatNumber(data[r * cols + c])}`
  }
}
