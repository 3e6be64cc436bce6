// The controller's status page: reads the JSON API once a second and redraws; stops the scan
// and sets parameters (with the bearer token when one is entered).
import { json, setToken, TokenNeeded, token } from './api.js'
import { showParameters } from './parameter-form.js'
import { showScan, wireStop } from './scan-panel.js'

const REFRESH_MS = 1000
const $ = (id) => document.getElementById(id)

function cell(text, className) {
  const td = document.createElement('td')
  td.textContent = text ?? ''
  if (className) td.className = className
  return td
}

function fillTable(id, rows) {
  const body = $(id).querySelector('tbody')
  body.replaceChildren(
    ...rows.map((cells) => {
      const tr = document.createElement('tr')
      tr.append(...cells)
      return tr
    }),
  )
}

function rate(load) {
  const r = load?.intervals?.['10']?.rate
  return r === undefined ? '' : `${r.toFixed(1)}/s`
}

function showProcesses(config, load) {
  fillTable(
    'workers',
    config.workers.map((w) => [
      cell(w.name),
      cell(w.state, `state-${w.state}`),
      cell((w.tags ?? []).join(', ')),
      // Events of the current (or last) scan, as the controller counted their completions.
      cell(String(load[w.name]?.intervals?.scan?.events ?? w.processed_events ?? 0)),
      cell(rate(load[w.name])),
      cell(load[w.name] ? String(load[w.name].last_event) : ''),
    ]),
  )
  const others = [
    ...config.ingesters.map((p) => ['ingester', p]),
    ...(config.reducer ? [['reducer', config.reducer]] : []),
  ]
  fillTable(
    'others',
    others.map(([role, p]) => [
      cell(role),
      cell(p.name),
      cell(p.state, `state-${p.state}`),
      cell((p.streams ?? []).join(', ')),
      cell(p.url ?? ''),
    ]),
  )
  const viewer = $('viewer')
  if (config.reducer?.url) {
    viewer.href = `${config.reducer.url}/viewer`
    viewer.hidden = false
  } else viewer.hidden = true
}

function showLogs(entries) {
  $('logs').replaceChildren(
    ...entries
      .slice(-100)
      .reverse()
      .map((e) => {
        const li = document.createElement('li')
        li.className = e.levelname
        const time = new Date(e.created * 1000).toLocaleTimeString()
        li.textContent = `${time} ${e.levelname} ${e.name}: ${e.msg}`
        return li
      }),
  )
}

async function refresh() {
  // Progress is public; the rest needs the token when the API has one.
  const progress = await json('/api/v1/progress')
  let status, config, load, parameters, logs
  try {
    ;[status, config, load, parameters, logs] = await Promise.all([
      json('/api/v1/status'),
      json('/api/v1/config'),
      json('/api/v1/load?intervals=10'),
      json('/api/v1/parameters'),
      json('/api/v1/logs?count=100'),
    ])
  } catch (err) {
    if (!(err instanceof TokenNeeded)) throw err
    showScan({ status: progress.status ?? 'idle', reason: progress.reason ?? null }, progress)
    $('updated').textContent = 'progress only: the API needs its token (top right) for the rest'
    return
  }
  showScan(status, progress)
  showProcesses(config, load)
  await showParameters(parameters)
  showLogs(logs)
  $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`
}

async function loop() {
  try {
    await refresh()
  } catch (err) {
    $('updated').textContent = String(err)
  }
  setTimeout(loop, REFRESH_MS)
}

$('token').value = token()
$('token').addEventListener('change', () => setToken($('token').value.trim()))
wireStop(() => refresh().catch((err) => ($('updated').textContent = String(err))))
loop()
