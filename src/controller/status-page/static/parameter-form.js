// The parameters form: one typed input per parameter the live workers and reducer describe,
// built when the descriptions change (never while someone types), with the value set now
// beside it. Values go to POST /api/v1/parameter/{name} as Dranspose's text (`True`/`False`
// for booleans, raw bytes for binary); the server checks them against the description.
import { authHeaders, post } from './api.js'

let signature = ''

/** The body to send for an input of a description, or an error text. */
export function parameterBody(description, input) {
  switch (description.dtype) {
    case 'bool':
      return input.checked ? 'True' : 'False'
    case 'binary': {
      const file = input.files?.[0]
      return file === undefined ? { error: 'choose a file' } : file
    }
    case 'int':
    case 'float': {
      const text = input.value.trim()
      if (text === '') return { error: 'enter a number' }
      return text
    }
    default:
      return input.value
  }
}

function inputFor(d) {
  const input = document.createElement('input')
  input.name = d.name
  input.dataset.parameter = d.name
  switch (d.dtype) {
    case 'bool':
      input.type = 'checkbox'
      break
    case 'binary':
      input.type = 'file'
      break
    case 'int':
    case 'float':
      input.type = 'number'
      input.step = d.dtype === 'int' ? '1' : 'any'
      if (d.min !== undefined) input.min = String(d.min)
      if (d.max !== undefined) input.max = String(d.max)
      break
    default:
      input.type = 'text'
  }
  return input
}

function fill(input, d, current) {
  if (d.dtype === 'binary') return
  if (d.dtype === 'bool') input.checked = /^(true|1)$/i.test(current.trim())
  else input.value = current
}

async function currentValue(d) {
  const response = await fetch(`/api/v1/parameter/${encodeURIComponent(d.name)}`, {
    headers: authHeaders(),
  })
  if (!response.ok) return ''
  if (d.dtype === 'binary') return `${(await response.arrayBuffer()).byteLength} bytes`
  return response.text()
}

/** Draw (or refresh the current values of) the parameters table. */
export async function showParameters(descriptions) {
  const body = document.querySelector('#parameters tbody')
  const values = await Promise.all(descriptions.map(currentValue))
  const next = JSON.stringify(descriptions)
  if (next !== signature) {
    signature = next
    if (descriptions.length === 0) {
      const row = document.createElement('tr')
      const cell = document.createElement('td')
      cell.colSpan = 5
      cell.className = 'muted'
      cell.textContent = 'none described by the live workers and reducer'
      row.append(cell)
      body.replaceChildren(row)
      return
    }
    body.replaceChildren(...descriptions.map((d, i) => parameterRow(d, values[i])))
  }
  for (const [i, d] of descriptions.entries()) {
    const cell = body.querySelector(`td.current[data-parameter="${CSS.escape(d.name)}"]`)
    if (cell) cell.textContent = values[i]
  }
}

function parameterRow(d, current) {
  const row = document.createElement('tr')
  const name = document.createElement('td')
  name.textContent = d.name
  const type = document.createElement('td')
  const bounds =
    d.min !== undefined && d.max !== undefined
      ? ` [${d.min}, ${d.max}]`
      : d.min !== undefined
        ? ` ≥ ${d.min}`
        : d.max !== undefined
          ? ` ≤ ${d.max}`
          : ''
  type.textContent = d.dtype + bounds
  const value = document.createElement('td')
  value.className = 'current'
  value.dataset.parameter = d.name
  value.textContent = current
  const edit = document.createElement('td')
  const form = document.createElement('form')
  form.className = 'set-parameter'
  // The controller checks the value against the description and says what is wrong.
  form.noValidate = true
  const input = inputFor(d)
  fill(input, d, current)
  const button = document.createElement('button')
  button.type = 'submit'
  button.textContent = 'set'
  const said = document.createElement('span')
  said.className = 'muted said'
  form.append(input, button, said)
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const sent = parameterBody(d, input)
    if (typeof sent === 'object' && 'error' in sent) {
      said.textContent = sent.error
      said.className = 'bad said'
      return
    }
    button.disabled = true
    const result = await post(`/api/v1/parameter/${encodeURIComponent(d.name)}`, sent)
    button.disabled = false
    said.textContent = result.ok ? 'set' : `refused (HTTP ${result.status}): ${result.message}`
    said.className = result.ok ? 'muted said' : 'bad said'
    if (result.ok) value.textContent = await currentValue(d)
  })
  edit.append(form)
  const description = document.createElement('td')
  description.textContent = d.description ?? ''
  row.append(name, type, value, edit, description)
  return row
}
