// The scan section: name or number, the true end state with its reason, progress, elapsed
// time, a steady rate and the time left, failures per stream, what a stalled scan waits for,
// and the stop button.
import { post } from './api.js'
import { formatDuration, formatRate, RateMeter, secondsLeft } from './rate-meter.js'

const $ = (id) => document.getElementById(id)
const meter = new RateMeter()

/** `scan 12 · mesh sx sy`, `scan 12`, or the id when the scan has no number. */
export function scanTitle(status) {
  if (!status.scan_id) return 'no scan yet'
  const number = status.scan_number ? `scan ${status.scan_number}` : `scan ${status.scan_id}`
  return status.scan_name ? `${number} · ${status.scan_name}` : number
}

/** The end state as a person reads it: `stopped: replaced`, `failed: no progress for 30 s`. */
export function stateText(status, progress) {
  const state = progress.status ?? status.status ?? 'idle'
  const reason = progress.reason ?? status.reason
  return reason ? `${state}: ${reason}` : state
}

export function showScan(status, progress, now = Date.now()) {
  $('scan-title').textContent = scanTitle(status)
  $('scan-id').textContent = status.scan_id ? status.scan_id : ''
  const state = progress.status ?? status.status ?? 'idle'
  const badge = $('scan-state')
  badge.textContent = stateText(status, progress)
  badge.className = `badge state-${state}`
  const running = state === 'running'
  $('stop').disabled = !running

  const total = progress.total_events
  const done = progress.completed_events
  $('progress').max = Math.max(1, total)
  $('progress').value = done
  const pct = total > 0 ? ((100 * done) / total).toFixed(1) : '0'
  $('progress-text').textContent =
    `${done} / ${total} events complete (${pct} %) · ${progress.last_assigned} assigned`

  const start = Date.parse(status.created_at ?? '')
  const end = Date.parse(status.ended_at ?? '')
  const startMs = Number.isNaN(start) ? undefined : start
  const elapsed =
    startMs === undefined ? undefined : ((Number.isNaN(end) ? now : end) - startMs) / 1000
  let rate
  if (running) {
    meter.add(status.scan_id, now, done, startMs)
    rate = meter.rate()
  } else rate = elapsed > 0 ? done / elapsed : Number.NaN
  $('elapsed').textContent = formatDuration(elapsed)
  $('rate').textContent = formatRate(rate)
  $('eta').textContent = running ? formatDuration(secondsLeft(total - done, rate)) : '—'

  const failed = progress.failed_events ?? 0
  const perStream = Object.entries(progress.failed_streams ?? {})
  $('failures').textContent =
    failed === 0
      ? 'none'
      : `${failed}${perStream.length > 0 ? ` (${perStream.map(([s, n]) => `${s}: ${n}`).join(', ')})` : ''}`
  $('failures').className = failed === 0 ? '' : 'bad'
  const waiting = progress.waiting_for ?? []
  $('waiting').hidden = waiting.length === 0
  $('waiting').textContent =
    waiting.length === 0
      ? ''
      : `no progress for ${progress.stalled_for_s ?? '?'} s: waiting for ${waiting.join('; ')}`
}

/** Wire the stop button: POST /api/v1/stop (with the token), and say what came of it. */
export function wireStop(refresh) {
  $('stop').addEventListener('click', async () => {
    $('stop').disabled = true
    const result = await post('/api/v1/stop')
    $('action').textContent = result.ok
      ? 'stop requested'
      : `stop refused (HTTP ${result.status}): ${result.message}`
    $('action').className = result.ok ? 'muted' : 'bad'
    await refresh()
  })
}
