// The live viewer: lists what the reducer publishes, draws selected paths (1-D as line plots,
// 2-D as images) and redraws them when the server-sent-events stream says they changed.
import { decodeCbor } from './cbor.js'
import { drawImage } from './image-plot.js'
import { drawLinePlot } from './line-plot.js'

const OUTLINE_MIN_MS = 1000
const panels = new Map()
let outline = { kind: 'group', children: {} }
let outlineAt = 0
let outlineTimer
let updates = 0
let autoOpen = false

const $ = (id) => document.getElementById(id)
const resultUrl = (path) => `/api/v1/result/${path.split('/').map(encodeURIComponent).join('/')}`

function setStatus(text) {
  $('status').textContent = text
}

function describe(node) {
  if (node.kind === 'array') return node.shape.join('×')
  if (node.kind === 'list') return `list[${node.length}]`
  if (node.kind === 'group') return ''
  return node.kind
}

function renderTree() {
  const build = (node, prefix) => {
    const ul = document.createElement('ul')
    for (const [name, child] of Object.entries(node.children)) {
      const path = prefix ? `${prefix}/${name}` : name
      const li = document.createElement('li')
      if (child.kind === 'group') {
        const details = document.createElement('details')
        details.open = !name.endsWith('_attrs')
        const summary = document.createElement('summary')
        summary.textContent = name
        details.append(summary, build(child, path))
        li.append(details)
      } else {
        const button = document.createElement('button')
        button.type = 'button'
        button.dataset.path = path
        button.className = panels.has(path) ? 'open' : ''
        button.textContent = name
        const shape = document.createElement('span')
        shape.className = 'shape'
        shape.textContent = describe(child)
        button.append(shape)
        button.addEventListener('click', () => togglePanel(path))
        li.append(button)
      }
      ul.append(li)
    }
    return ul
  }
  $('tree').replaceChildren(build(outline, ''))
}

async function loadOutline() {
  outlineAt = Date.now()
  const response = await fetch('/api/v1/outline')
  if (!response.ok) throw new Error(`outline: HTTP ${response.status}`)
  outline = await response.json()
  if (autoOpen) {
    // Nothing chosen yet: show the first arrays once they are published.
    for (const path of firstArrays()) if (!panels.has(path)) openPanel(path)
    autoOpen = panels.size < 2
  }
  renderTree()
}

/** Reload the outline soon, at most once a second. */
function scheduleOutline() {
  if (outlineTimer !== undefined) return
  const wait = Math.max(0, outlineAt + OUTLINE_MIN_MS - Date.now())
  outlineTimer = setTimeout(() => {
    outlineTimer = undefined
    loadOutline().catch((err) => setStatus(String(err)))
  }, wait)
}

function togglePanel(path) {
  if (panels.has(path)) {
    panels.get(path).element.remove()
    panels.delete(path)
  } else openPanel(path)
  $('hint').hidden = panels.size > 0
  renderTree()
  const url = new URL(window.location.href)
  url.searchParams.set('show', [...panels.keys()].join(','))
  window.history.replaceState(null, '', url)
}

function openPanel(path) {
  const element = document.createElement('div')
  element.className = 'panel'
  const title = document.createElement('h2')
  title.textContent = path
  const close = document.createElement('button')
  close.type = 'button'
  close.title = 'close'
  close.textContent = '×'
  close.addEventListener('click', () => togglePanel(path))
  title.append(close)
  const body = document.createElement('div')
  element.append(title, body)
  $('panels').append(element)
  const panel = { path, element, body, busy: false, again: false, draws: 0 }
  panels.set(path, panel)
  $('hint').hidden = true
  refresh(panel)
}

/** As rows of numbers, when `value` is 2-D numeric data; else undefined. */
function asRows(value) {
  if (value && !Array.isArray(value) && Array.isArray(value.shape) && value.data) {
    const [h, w] = value.shape
    if (value.shape.length !== 2) return undefined
    return Array.from({ length: h }, (_, j) => value.data.subarray?.(j * w, (j + 1) * w))
  }
  if (!Array.isArray(value) || value.length === 0) return undefined
  const w = value[0]?.length
  if (typeof w !== 'number' || w === 0) return undefined
  for (const row of value) {
    if (!isVector(row) || row.length !== w) return undefined
  }
  return value
}

function isVector(value) {
  if (ArrayBuffer.isView(value)) return true
  return Array.isArray(value) && value.every((v) => typeof v === 'number' || v === null)
}

function canvasFor(panel, kind) {
  let canvas = panel.body.querySelector('canvas')
  if (canvas?.className !== kind) {
    canvas = document.createElement('canvas')
    canvas.className = kind
    canvas.dataset.path = panel.path
    panel.body.replaceChildren(canvas)
  }
  return canvas
}

function draw(panel, value) {
  const rows = asRows(value)
  let canvas
  if (rows !== undefined) {
    canvas = canvasFor(panel, 'image')
    drawImage(canvas, rows)
  } else if (isVector(value) && value.length > 0) {
    canvas = canvasFor(panel, 'plot')
    drawLinePlot(canvas, value)
  } else {
    const pre = document.createElement('pre')
    pre.textContent = JSON.stringify(value, (_k, v) => (ArrayBuffer.isView(v) ? [...v] : v), 2)
    panel.body.replaceChildren(pre)
  }
  panel.draws++
  if (canvas) {
    canvas.dataset.draws = String(panel.draws)
    canvas.dataset.length = String(rows?.length ?? value.length)
  }
}

/** Fetch the panel's path (CBOR) and redraw; a refresh asked for meanwhile runs right after. */
async function refresh(panel) {
  if (panel.busy) {
    panel.again = true
    return
  }
  panel.busy = true
  try {
    do {
      panel.again = false
      const response = await fetch(resultUrl(panel.path), {
        headers: { accept: 'application/cbor' },
      })
      if (response.status === 404) {
        panel.body.textContent = 'not published (yet)'
        continue
      }
      if (!response.ok) throw new Error(`${panel.path}: HTTP ${response.status}`)
      draw(panel, decodeCbor(await response.arrayBuffer()))
    } while (panel.again && panels.has(panel.path))
  } catch (err) {
    panel.body.textContent = String(err)
  } finally {
    panel.busy = false
  }
}

function onUpdate(update) {
  updates++
  setStatus(`live · update ${updates} · ${new Date().toLocaleTimeString()}`)
  const changed = new Set(update.changed)
  // Shapes and the tree change with the data: reload the outline (at most once a second).
  scheduleOutline()
  for (const panel of panels.values()) {
    if (changed.has(panel.path.split('/')[0])) refresh(panel)
  }
}

/** Paths worth showing first: the first 1-D and the first 2-D array of the outline. */
function firstArrays() {
  const found = {}
  const walk = (node, prefix) => {
    for (const [name, child] of Object.entries(node.children)) {
      const path = prefix ? `${prefix}/${name}` : name
      if (child.kind === 'group') walk(child, path)
      else if (child.kind === 'array') found[child.shape.length] ??= path
    }
  }
  walk(outline, '')
  return [found[1], found[2]].filter((p) => p !== undefined)
}

async function main() {
  await loadOutline()
  const shown = new URL(window.location.href).searchParams.get('show')
  const paths = shown ? shown.split(',').filter((p) => p !== '') : firstArrays()
  autoOpen = !shown && paths.length < 2
  for (const path of paths) if (!panels.has(path)) openPanel(path)
  renderTree()
  const events = new EventSource('/api/v1/updates')
  events.addEventListener('update', (e) => onUpdate(JSON.parse(e.data)))
  events.addEventListener('error', () => setStatus('disconnected; retrying…'))
}

main().catch((err) => setStatus(String(err)))
