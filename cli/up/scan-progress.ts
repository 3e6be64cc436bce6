import { Writable } from 'node:stream'
import { MultiBar, type SingleBar } from 'cli-progress'

/** Where a scan stands: events complete (in order), of how many, and how many failed. */
export interface ProgressSample {
  readonly completed: number
  readonly total: number
  readonly failed: number
}

/** How progress shows: a redrawn bar (terminal), a plain line every second, or not at all. */
export type ProgressMode = 'bar' | 'lines' | 'off'

/** The mode for a `--progress` / `--no-progress` flag (undefined: neither) and the stream. */
export function progressMode(flag: boolean | undefined, stream: { isTTY?: boolean }): ProgressMode {
  if (flag === false) return 'off'
  if (stream.isTTY === true) return 'bar'
  return flag === true ? 'lines' : 'off'
}

/** Events per second over the last `windowMs` of samples (pure apart from the times given). */
export class RateWindow {
  readonly #windowMs: number
  readonly #samples: { atMs: number; completed: number }[] = []

  constructor(windowMs = 10_000) {
    this.#windowMs = windowMs
  }

  /** Add a sample; returns the rate in events per second (0 until two samples differ in time). */
  add(atMs: number, completed: number): number {
    const samples = this.#samples
    samples.push({ atMs, completed })
    while (samples.length > 2 && atMs - (samples[1]?.atMs ?? atMs) >= this.#windowMs) {
      samples.shift()
    }
    const first = samples[0]
    if (first === undefined || atMs <= first.atMs) return 0
    return Math.max(0, ((completed - first.completed) * 1000) / (atMs - first.atMs))
  }
}

/** `42 s`, `3 min 05 s`, `1 h 02 min`; `?` when not known. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?'
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`
}

/** The figures a progress display shows for a sample and a rate (pure). */
export function progressFigures(sample: ProgressSample, ratePerS: number) {
  const remaining = Math.max(0, sample.total - sample.completed)
  const eta = remaining === 0 ? 0 : ratePerS > 0 ? remaining / ratePerS : Number.NaN
  return {
    rate: ratePerS >= 100 ? ratePerS.toFixed(0) : ratePerS.toFixed(1),
    eta: formatSeconds(eta),
    failed: sample.failed,
  }
}

/** Options of {@link createScanProgress}. */
export interface ScanProgressOptions {
  readonly mode: ProgressMode
  /** Default standard error. */
  readonly stream?: NodeJS.WriteStream
  /** How often the sample is read, ms (default 200; `lines` prints once a second). */
  readonly intervalMs?: number
}

/** A progress display for one scan at a time, with human lines and log lines above it. */
export interface ScanProgress {
  /** A stream for log lines: written above the bar while it shows. */
  readonly logStream: NodeJS.WritableStream & { readonly isTTY?: boolean }
  /** Write a human line (with or without its newline) above the bar. */
  line(text: string): void
  /** Show progress of a scan, reading `read()` periodically, until {@link stop}. */
  start(label: string, read: () => ProgressSample): void
  /** Show the last sample and stop; safe to call when not started. */
  stop(): void
}

/**
 * The progress display of `beamloom up`: on a terminal a bar
 * (`scan ████░░ 120/200 events | 41.0 ev/s | ETA 2 s | 0 failed`) that log lines print above;
 * in `lines` mode the same figures as a plain line every second.
 */
export function createScanProgress(options: ScanProgressOptions): ScanProgress {
  const stream = options.stream ?? process.stderr
  const intervalMs = options.intervalMs ?? 200
  let multi: MultiBar | undefined
  let bar: SingleBar | undefined
  let timer: NodeJS.Timeout | undefined
  let tick: (() => void) | undefined

  const line = (text: string): void => {
    const withNewline = text.endsWith('\n') ? text : `${text}\n`
    if (multi !== undefined) multi.log(withNewline)
    else stream.write(withNewline)
  }
  const logStream = Object.assign(
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        line(chunk.toString())
        callback()
      },
    }),
    { isTTY: stream.isTTY === true },
  )

  const stop = (): void => {
    clearInterval(timer)
    timer = undefined
    tick?.()
    tick = undefined
    multi?.stop()
    multi = undefined
    bar = undefined
  }

  const start = (label: string, read: () => ProgressSample): void => {
    stop()
    if (options.mode === 'off') return
    const rates = new RateWindow()
    let lastLineMs = Date.now()
    if (options.mode === 'bar') {
      multi = new MultiBar({
        format: `${label} {bar} {value}/{total} events | {rate} ev/s | ETA {etaText} | {failed} failed`,
        stream,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        barsize: 30,
      })
      const first = read()
      bar = multi.create(Math.max(1, first.total), first.completed, {
        ...progressFigures(first, 0),
        etaText: '?',
      })
    }
    tick = () => {
      const now = Date.now()
      const sample = read()
      const figures = progressFigures(sample, rates.add(now, sample.completed))
      if (bar !== undefined) {
        bar.setTotal(Math.max(1, sample.total))
        bar.update(sample.completed, { ...figures, etaText: figures.eta })
      } else if (now - lastLineMs >= 1000 || sample.completed >= sample.total) {
        lastLineMs = now
        stream.write(
          `${label}: ${sample.completed}/${sample.total} events, ${figures.rate} ev/s, ETA ${figures.eta}, ${figures.failed} failed\n`,
        )
      }
    }
    timer = setInterval(() => tick?.(), intervalMs)
  }

  return { logStream, line, start, stop }
}
