// The controller's status page: reads the JSON API once a second and redraws.
const REFRESH_MS = 1000
const $ = (id) => document.getElementById(id)

async function json(path) {
  const response = await fetch(path)
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`)
  return response.json()
}

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

function showScan(status, progress) {
  const scan = status.scan_id
    ? `${status.status} · scan ${status.scan_id}${status.reason ? ` · ${status.reason}` : ''}`
    : 'no scan yet'
  $('scan').textContent = scan
  const total = progress.total_events
  $('progress').max = Math.max(1, total)
  $('progress').value = progress.completed_events
  const pct = total > 0 ? ((100 * progress.completed_events) / total).toFixed(1) : '0'
  $('progress-text').textContent =
    `${progress.completed_events} / ${total} events complete (${pct} %) · ` +
    `${progress.last_assigned} assigned${progress.finished ? ' · finished' : ''}`
}

function rate(load, interval) {
  const r = load?.intervals?.[interval]?.rate
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
      cell(rate(load[w.name], '1')),
      cell(rate(load[w.name], '10')),
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

async function showParameters(descriptions) {
  const values = await Promise.all(
    descriptions.map(async (d) => {
      if (d.dtype === 'binary') return '(binary)'
      const response = await fetch(`/api/v1/parameter/${encodeURIComponent(d.name)}`)
      return response.ok ? response.text() : ''
    }),
  )
  if (descriptions.length === 0) {
    fillTable('parameters', [[cell('none described by the live workers and reducer', 'muted')]])
    return
  }
  fillTable(
    'parameters',
    descriptions.map((d, i) => [
      cell(d.name),
      cell(d.dtype),
      cell(values[i]),
      cell(d.description ?? ''),
    ]),
  )
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
  const [status, progress, config, load, parameters, logs] = await Promise.all([
    json('/api/v1/status'),
    json('/api/v1/progress'),
    json('/api/v1/config'),
    json('/api/v1/load?intervals=1&intervals=10'),
    json('/api/v1/parameters'),
    json('/api/v1/logs?count=100'),
  ])
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

loop()
