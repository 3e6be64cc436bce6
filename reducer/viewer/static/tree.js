// The tree of publish on the left: groups, numeric arrays with their shapes, other values by
// kind; NXdata groups open as one plot; attributes are listed with their node (`@`), never as
// groups of their own.
import { isPlottableNxdata } from './nxdata.js'

function describe(node) {
  if (node.kind === 'array') return node.shape.join('×')
  if (node.kind === 'list') return `list[${node.length}]`
  if (node.kind === 'group') return isPlottableNxdata(node) ? 'NXdata' : ''
  return node.kind
}

function attributes(attrs) {
  const details = document.createElement('details')
  details.className = 'attrs'
  const summary = document.createElement('summary')
  summary.textContent = '@'
  summary.title = Object.entries(attrs)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`)
    .join('\n')
  const list = document.createElement('dl')
  for (const [k, v] of Object.entries(attrs)) {
    const dt = document.createElement('dt')
    dt.textContent = k
    const dd = document.createElement('dd')
    dd.textContent = Array.isArray(v) ? v.join(', ') : String(v)
    list.append(dt, dd)
  }
  details.append(summary, list)
  return details
}

function pathButton(name, node, path, ui) {
  const button = document.createElement('button')
  button.type = 'button'
  button.dataset.path = path
  button.className = ui.open.has(path) ? 'open' : ''
  button.textContent = name
  const shape = document.createElement('span')
  shape.className = 'shape'
  shape.textContent = describe(node)
  button.append(shape)
  button.addEventListener('click', (e) => {
    e.preventDefault()
    ui.toggle(path)
  })
  return button
}

function build(node, prefix, ui) {
  const ul = document.createElement('ul')
  for (const [name, child] of Object.entries(node.children)) {
    const path = prefix ? `${prefix}/${name}` : name
    const li = document.createElement('li')
    if (child.kind === 'group') {
      const details = document.createElement('details')
      details.open = true
      const summary = document.createElement('summary')
      if (isPlottableNxdata(child)) summary.append(pathButton(name, child, path, ui))
      else summary.textContent = name
      if (child.attrs) summary.append(attributes(child.attrs))
      details.append(summary, build(child, path, ui))
      li.append(details)
    } else {
      li.append(pathButton(name, child, path, ui))
      if (child.attrs) li.append(attributes(child.attrs))
    }
    ul.append(li)
  }
  return ul
}

/** Draw the tree of `outline` into `element`; `ui.toggle(path)` opens or closes a panel. */
export function renderTree(element, outline, ui) {
  const parts = []
  if (outline.attrs) {
    const root = document.createElement('div')
    root.className = 'root-attrs'
    root.append('/ ', attributes(outline.attrs))
    parts.push(root)
  }
  parts.push(build(outline, '', ui))
  element.replaceChildren(...parts)
}
