// The viewer's header: which scan this is and whether it runs, or how it ended — finished,
// stopped or failed with the reason — from `GET /api/v1/scan` (the metadata files record).

/** `scan 12 · mesh sx sy`, `scan <id>`, `beamloom replay`. */
export function scanName(meta) {
  if (meta.scan_name && meta.scan_number) return `scan ${meta.scan_number} · ${meta.scan_name}`
  if (meta.scan_name) return meta.scan_name
  if (meta.scan_number) return `scan ${meta.scan_number}`
  return meta.scan_id ? `scan ${meta.scan_id}` : 'no scan yet'
}

/** `running`, `finished`, `stopped: operator`, `failed: no progress for 30 s`. */
export function stateText(meta) {
  return meta.reason ? `${meta.status}: ${meta.reason}` : meta.status
}

/** Fetch the scan's metadata and show it in `element` (a name and a state badge). */
export async function showScanStatus(element) {
  const response = await fetch('/api/v1/scan')
  if (!response.ok) return
  const meta = await response.json()
  const name = element.querySelector('.scan-name')
  const state = element.querySelector('.badge')
  name.textContent = scanName(meta)
  name.title = meta.scan_id ?? ''
  state.textContent = stateText(meta)
  state.className = `badge state-${meta.status}`
  state.dataset.status = meta.status
}
