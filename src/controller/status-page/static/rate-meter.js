// A steady event rate for the status page: completions arrive in batches, so a rate over the
// last second jumps between 0 and bursts. This one is the slope over a window of samples
// (default 10 s), and the scan's average until the window has a few seconds in it. Pure.

/** Keeps `[time ms, completed events]` samples of one scan and answers its rate. */
export class RateMeter {
  constructor(windowMs = 10_000) {
    this.windowMs = windowMs
    this.scanId = undefined
    this.samples = []
  }

  /**
   * Add a sample of `scanId` at `now` (ms); a new scan starts over. `startMs` is when the scan
   * started (for the average before the window fills).
   */
  add(scanId, now, completed, startMs) {
    if (scanId !== this.scanId) {
      this.scanId = scanId
      this.samples = []
    }
    this.startMs = startMs
    this.samples.push([now, completed])
    while (this.samples.length > 2 && now - this.samples[1][0] >= this.windowMs)
      this.samples.shift()
  }

  /** Events per second: over the window once it spans 3 s, else since the start; 0 if unknown. */
  rate() {
    const last = this.samples.at(-1)
    if (last === undefined) return 0
    const first = this.samples[0]
    if (last[0] - first[0] >= 3000) return ((last[1] - first[1]) * 1000) / (last[0] - first[0])
    if (this.startMs === undefined || last[0] <= this.startMs) return 0
    return (last[1] * 1000) / (last[0] - this.startMs)
  }
}

/** Seconds left at `rate` events/s for `remaining` events; undefined when it cannot be told. */
export function secondsLeft(remaining, rate) {
  if (!(rate > 0) || remaining < 0) return undefined
  return remaining / rate
}

/** `1 h 02 min`, `3 min 05 s`, `42 s`. */
export function formatDuration(seconds) {
  if (seconds === undefined || !Number.isFinite(seconds)) return '—'
  const s = Math.max(0, Math.round(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const r = s % 60
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`
  if (m > 0) return `${m} min ${String(r).padStart(2, '0')} s`
  return `${r} s`
}

/** `24.0/s`, `0.52/s`, `1.2 k/s`. */
export function formatRate(rate) {
  if (!Number.isFinite(rate)) return '—'
  if (rate >= 1000) return `${(rate / 1000).toFixed(1)} k/s`
  if (rate >= 10) return `${rate.toFixed(1)}/s`
  return `${rate.toPrecision(2)}/s`
}
