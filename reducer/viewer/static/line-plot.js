// 1-D data as a uPlot line plot: real x values and labels with units, drag to zoom (double
// click: all), wheel to zoom, shift-drag to pan, the values under the cursor in the legend,
// points drawn as markers (or lines, or both), and markers placed by a click.
import uPlot from './vendor/uplot.js'

const HEIGHT = 300
const STYLES = ['lines + points', 'lines', 'points']

/** Wheel zoom and shift-drag pan of the x scale. */
function zoomPan() {
  return {
    hooks: {
      ready: (u) => {
        const over = u.over
        over.addEventListener('wheel', (e) => {
          e.preventDefault()
          const { min, max } = u.scales.x
          if (min === null || max === null) return
          const at = u.posToVal(e.offsetX, 'x')
          const k = e.deltaY < 0 ? 0.8 : 1.25
          u.plot.zoomed = true
          u.setScale('x', { min: at - (at - min) * k, max: at + (max - at) * k })
        })
        over.addEventListener(
          'mousedown',
          (e) => {
            if (!e.shiftKey) return
            e.preventDefault()
            e.stopPropagation()
            const { min, max } = u.scales.x
            const x0 = e.clientX
            const perPx = ((max - min) / u.bbox.width) * devicePixelRatio
            const move = (m) => {
              const dx = (m.clientX - x0) * perPx
              u.plot.zoomed = true
              u.setScale('x', { min: min - dx, max: max - dx })
            }
            const up = () => {
              window.removeEventListener('mousemove', move)
              window.removeEventListener('mouseup', up)
            }
            window.addEventListener('mousemove', move)
            window.addEventListener('mouseup', up)
          },
          true,
        )
      },
    },
  }
}

/**
 * Markers: a single click (not the end of a drag, not part of a double click) marks the data
 * point under the cursor; drawn on the plot.
 */
function markers(plot) {
  return {
    hooks: {
      ready: (u) => {
        let down
        let pending
        u.over.addEventListener('mousedown', (e) => {
          down = [e.clientX, e.clientY]
        })
        u.over.addEventListener('click', (e) => {
          const moved =
            down !== undefined && Math.hypot(e.clientX - down[0], e.clientY - down[1]) > 3
          const i = u.cursor.idx
          if (moved || e.detail > 1 || i === null || i === undefined) return
          // Wait out a double click (which resets the zoom instead).
          pending = setTimeout(() => {
            const x = u.data[0][i]
            if (!plot.markers.some((m) => m.x === x)) plot.markers.push({ x, y: u.data[1][i] })
            plot.onMarkers()
            u.redraw(false)
          }, 300)
        })
        u.over.addEventListener('dblclick', () => clearTimeout(pending))
      },
      draw: (u) => {
        const { ctx } = u
        ctx.save()
        ctx.strokeStyle = '#d62728'
        ctx.fillStyle = '#d62728'
        ctx.setLineDash([4, 3])
        ctx.lineWidth = devicePixelRatio
        for (const m of plot.markers) {
          const cx = u.valToPos(m.x, 'x', true)
          if (cx < u.bbox.left || cx > u.bbox.left + u.bbox.width) continue
          ctx.beginPath()
          ctx.moveTo(cx, u.bbox.top)
          ctx.lineTo(cx, u.bbox.top + u.bbox.height)
          ctx.stroke()
          if (Number.isFinite(m.y)) {
            ctx.beginPath()
            ctx.arc(cx, u.valToPos(m.y, 'y', true), 4 * devicePixelRatio, 0, 2 * Math.PI)
            ctx.fill()
          }
        }
        ctx.restore()
      },
    },
  }
}

/** `1.25`, `3.1e-5`: short numbers for readouts. */
export function short(v) {
  if (!Number.isFinite(v)) return String(v)
  const a = Math.abs(v)
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(3)
  return String(Number(v.toPrecision(6)))
}

/**
 * A line plot living in `container`: call `draw({x, y, xLabel, yLabel})` with Float64Arrays
 * as often as the data changes (the zoom is kept once the user zoomed; double click resets).
 */
export class LinePlot {
  constructor(container) {
    this.container = container
    this.markers = []
    this.style = STYLES[0]
    this.zoomed = false
    this.u = undefined
    const bar = document.createElement('div')
    bar.className = 'plot-bar'
    const select = document.createElement('select')
    select.className = 'line-style'
    select.title = 'how the data are drawn'
    for (const s of STYLES) select.append(new Option(s, s))
    select.addEventListener('change', () => {
      this.style = select.value
      this.#rebuild()
    })
    const hint = document.createElement('span')
    hint.className = 'muted'
    hint.textContent =
      'drag: zoom · wheel: zoom · shift-drag: pan · double click: all · click: marker'
    bar.append(select, hint)
    this.area = document.createElement('div')
    this.area.className = 'plot'
    this.list = document.createElement('ul')
    this.list.className = 'markers'
    container.replaceChildren(bar, this.area, this.list)
    this.onMarkers = () => this.#showMarkers()
  }

  draw({ x, y, xLabel, yLabel }) {
    this.data = [x, y]
    // A marker stays on its x; its y follows the data there.
    for (const m of this.markers) {
      const i = x.indexOf(m.x)
      if (i >= 0) m.y = y[i]
    }
    if (this.u === undefined || this.xLabel !== xLabel || this.yLabel !== yLabel) {
      this.xLabel = xLabel
      this.yLabel = yLabel
      this.#rebuild()
      return
    }
    this.u.setData(this.data, !this.zoomed)
    this.#showMarkers()
  }

  #rebuild() {
    this.u?.destroy()
    const points = this.style !== 'lines'
    const opts = {
      width: Math.max(200, this.area.clientWidth || this.container.clientWidth || 520),
      height: HEIGHT,
      scales: { x: { time: false } },
      cursor: { drag: { x: true, y: false, setScale: true } },
      legend: { live: true },
      plugins: [zoomPan(), markers(this)],
      hooks: {
        setSelect: [() => (this.zoomed = true)],
        // The x range shown, for whoever reads the page (tests, scripts).
        setScale: [
          (u, key) => {
            if (key === 'x') this.container.dataset.xRange = `${u.scales.x.min},${u.scales.x.max}`
          },
        ],
      },
      axes: [
        { label: this.xLabel, values: (_u, splits) => splits.map(short) },
        { label: this.yLabel, values: (_u, splits) => splits.map(short), size: 64 },
      ],
      series: [
        { label: this.xLabel, value: (_u, v) => (v === null ? '–' : short(v)) },
        {
          label: this.yLabel,
          stroke: '#1f77b4',
          width: 1.5,
          value: (_u, v) => (v === null ? '–' : short(v)),
          ...(this.style === 'points' ? { paths: () => null } : {}),
          points: { show: points, size: 5, fill: '#1f77b4' },
        },
      ],
    }
    this.u = new uPlot(opts, this.data, this.area)
    this.u.plot = this
    this.u.over.addEventListener('dblclick', () => {
      this.zoomed = false
    })
    this.#showMarkers()
  }

  #showMarkers() {
    this.list.replaceChildren(
      ...this.markers.map((m, i) => {
        const li = document.createElement('li')
        li.textContent = `${this.xLabel} = ${short(m.x)}, ${this.yLabel} = ${short(m.y)} `
        const remove = document.createElement('button')
        remove.type = 'button'
        remove.textContent = '×'
        remove.title = 'remove the marker'
        remove.addEventListener('click', () => {
          this.markers.splice(i, 1)
          this.u?.redraw(false)
          this.#showMarkers()
        })
        li.append(remove)
        return li
      }),
    )
  }
}
