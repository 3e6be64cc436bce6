// The live viewer: lists what the reducer publishes (attributes as attributes), opens the
// default NXdata plot, draws NXdata signals against their axes (line plots with uPlot, images
// with a colour bar), several side by side, redraws them when the server-sent-events stream
// says they changed, and says in the header whether the scan runs or how it ended.

import { toImage, toNumbers } from './data.js'
import { ImagePlot } from './image-plot.js'
import { LinePlot } from './line-plot.js'
import { firstPaths, planFor } from './nxdata.js'
import { showScanStatus } from './scan-status.js'
import { renderTree } from './tree.js'
import { decode } from './vendor/cbor-x.js'

const OUTLINE_MIN_MS = 1000
const panels = new Map()
let outline = { kind: 'group', children: {} }
let outlineAt = 0
let outlineTimer
let updates = 0
let autoOpen = false

const $ = (id) => document.getElementById(id)
const resultUrl = (path) => `/api/v1/result/${path.split('/').map(encodeURIComponent).join('/')}`

function setLive(text) {
  $('live').textContent = text
}

function drawTree() {
  renderTree($('tree'), outline, { open: new Set(panels.keys()), toggle: togglePanel })
}

async function loadOutline() {
  outlineAt = Date.now()
  const response = await fetch('/api/v1/outline')
  if (!response.ok) throw new Error(`outline: HTTP ${response.status}`)
  outline = await response.json()
  if (autoOpen) {
    // Nothing chosen yet: open what is worth seeing once it is published.
    for (const path of firstPaths(outline)) if (!panels.has(path)) openPanel(path)
    autoOpen = panels.size === 0
  }
  for (const panel of panels.values()) {
    // A panel opened before its path was described is planned again.
    if (panel.plan.kind !== planFor(outline, panel.path).kind) refresh(panel)
  }
  drawTree()
}

/** Reload the outline soon, at most once a second. */
function scheduleOutline() {
  if (outlineTimer !== undefined) return
  const wait = Math.max(0, outlineAt + OUTLINE_MIN_MS - Date.now())
  outlineTimer = setTimeout(() => {
    outlineTimer = undefined
    loadOutline().catch((err) => setLive(String(err)))
  }, wait)
}

function togglePanel(path) {
  if (panels.has(path)) {
    panels.get(path).element.remove()
    panels.delete(path)
  } else openPanel(path)
  $('hint').hidden = panels.size > 0
  drawTree()
  const url = new URL(window.location.href)
  url.searchParams.set('show', [...panels.keys()].join(','))
  window.history.replaceState(null, '', url)
}

function openPanel(path) {
  const element = document.createElement('div')
  element.className = 'panel'
  element.dataset.path = path
  const title = document.createElement('h2')
  const text = document.createElement('span')
  text.className = 'title'
  text.textContent = path
  const close = document.createElement('button')
  close.type = 'button'
  close.title = 'close'
  close.textContent = '×'
  close.addEventListener('click', () => togglePanel(path))
  title.append(text, close)
  const body = document.createElement('div')
  body.className = 'panel-body'
  element.append(title, body)
  $('panels').append(element)
  const panel = { path, element, body, text, plan: planFor(outline, path), plot: undefined }
  Object.assign(panel, { busy: false, again: false, draws: 0 })
  panels.set(path, panel)
  $('hint').hidden = true
  refresh(panel)
}

/** The plot object of a panel for a kind (`line` or `image`), made anew when the kind changes. */
function plotFor(panel, kind) {
  if (panel.plotKind !== kind) {
    panel.plot = kind === 'line' ? new LinePlot(panel.body) : new ImagePlot(panel.body)
    panel.plotKind = kind
  }
  return panel.plot
}

const indexOf = (n) => Float64Array.from({ length: n }, (_, i) => i)

function drawSignal(panel, signal, axes, labels, units) {
  const image = toImage(signal)
  if (image !== undefined) {
    const [y, x] = axes
    plotFor(panel, 'image').draw({
      image,
      x,
      y,
      xLabel: labels.axes[1],
      yLabel: labels.axes[0],
      zLabel: labels.signal,
      sameUnits: x !== undefined && y !== undefined && units[0] === units[1],
    })
    return image.rows
  }
  const y = toNumbers(signal)
  if (y === undefined) return undefined
  const x = axes[0] ?? indexOf(y.length)
  plotFor(panel, 'line').draw({ x, y, xLabel: labels.axes[0], yLabel: labels.signal })
  return y.length
}

function draw(panel, value) {
  const plan = planFor(outline, panel.path)
  panel.plan = plan
  panel.text.textContent =
    plan.kind === 'nxdata' ? `${plan.title} · ${plan.labels.signal}` : panel.path
  let length
  if (plan.kind === 'nxdata') {
    const axes = plan.axes.map((a) => (a === null ? undefined : toNumbers(value?.[a])))
    length = drawSignal(panel, value?.[plan.signal], axes, plan.labels, plan.labels.units)
  } else if (plan.kind === 'array') {
    length = drawSignal(panel, value, [], plan.labels, [])
  }
  if (length === undefined) {
    const pre = document.createElement('pre')
    pre.textContent = JSON.stringify(
      value,
      (_k, v) =>
        ArrayBuffer.isView(v)
          ? Array.from(v, (x) => (typeof x === 'bigint' ? String(x) : x))
          : typeof v === 'bigint'
            ? String(v)
            : v,
      2,
    )
    panel.body.replaceChildren(pre)
    panel.plotKind = undefined
  }
  panel.draws++
  panel.element.dataset.kind = panel.plotKind ?? 'text'
  panel.element.dataset.draws = String(panel.draws)
  panel.element.dataset.length = String(length ?? 0)
}

/** Fetch the panel's data (CBOR) and redraw; a refresh asked for meanwhile runs right after. */
async function refresh(panel) {
  if (panel.busy) {
    panel.again = true
    return
  }
  panel.busy = true
  try {
    do {
      panel.again = false
      const plan = planFor(outline, panel.path)
      const response = await fetch(resultUrl(plan.kind === 'nxdata' ? plan.group : panel.path), {
        headers: { accept: 'application/cbor' },
      })
      if (response.status === 404) {
        panel.body.textContent = 'not published (yet)'
        panel.plotKind = undefined
        continue
      }
      if (!response.ok) throw new Error(`${panel.path}: HTTP ${response.status}`)
      draw(panel, decode(new Uint8Array(await response.arrayBuffer())))
    } while (panel.again && panels.has(panel.path))
  } catch (err) {
    panel.body.textContent = String(err)
    panel.plotKind = undefined
  } finally {
    panel.busy = false
  }
}

function onUpdate(update) {
  updates++
  setLive(`live · update ${updates} · ${new Date().toLocaleTimeString()}`)
  const changed = new Set(update.changed)
  // Shapes and the tree change with the data: reload the outline (at most once a second).
  scheduleOutline()
  showScanStatus($('scan')).catch(() => {})
  for (const panel of panels.values()) {
    if (changed.has(panel.path.split('/')[0])) refresh(panel)
  }
}

async function main() {
  await loadOutline()
  await showScanStatus($('scan')).catch(() => {})
  const shown = new URL(window.location.href).searchParams.get('show')
  const paths = shown ? shown.split(',').filter((p) => p !== '') : firstPaths(outline)
  autoOpen = !shown && paths.length === 0
  for (const path of paths) if (!panels.has(path)) openPanel(path)
  drawTree()
  const events = new EventSource('/api/v1/updates')
  events.addEventListener('update', (e) => onUpdate(JSON.parse(e.data)))
  events.addEventListener('error', () => setLive('disconnected; retrying…'))
  // The end of a scan may change nothing in publish: the header asks now and then too.
  setInterval(() => showScanStatus($('scan')).catch(() => {}), 3000)
}

main().catch((err) => setLive(String(err)))
