/** How many seconds of per-worker history {@link WorkerLoadTracker} keeps. */
export const LOAD_HISTORY_SECONDS = 300

interface WorkerRecord {
  lastEvent: number
  scanEvents: number
  firstMs: number
  /** Events completed per second, a ring indexed by epoch second modulo the history. */
  readonly buckets: Int32Array
  readonly bucketSecond: Float64Array
}

/** One interval of a worker's load: events completed (reduced) and their rate. */
export interface IntervalLoad {
  readonly events: number
  /** Events per second over the interval (over the scan so far for `scan`). */
  readonly rate: number
}

/** Load of one worker (Dranspose's `WorkerLoad`, with counts and rates instead of timings). */
export interface WorkerLoad {
  readonly last_event: number
  readonly intervals: Record<string, IntervalLoad>
}

/**
 * Per-worker completion counts of the current scan, as the controller sees them (completion
 * reports of the reducer), bucketed per second. Memory is bounded by workers × history.
 */
export class WorkerLoadTracker {
  readonly #workers = new Map<string, WorkerRecord>()
  readonly #now: () => number

  constructor(now: () => number = Date.now) {
    this.#now = now
  }

  /** `events` events of `worker` were completed, the highest being `lastEvent`. */
  record(worker: string, events: number, lastEvent: number): void {
    if (events <= 0) return
    const now = this.#now()
    let w = this.#workers.get(worker)
    if (w === undefined) {
      w = {
        lastEvent,
        scanEvents: 0,
        firstMs: now,
        buckets: new Int32Array(LOAD_HISTORY_SECONDS),
        bucketSecond: new Float64Array(LOAD_HISTORY_SECONDS).fill(-1),
      }
      this.#workers.set(worker, w)
    }
    const second = Math.floor(now / 1000)
    const i = second % LOAD_HISTORY_SECONDS
    if (w.bucketSecond[i] !== second) {
      w.bucketSecond[i] = second
      w.buckets[i] = 0
    }
    w.buckets[i] = (w.buckets[i] ?? 0) + events
    w.scanEvents += events
    w.lastEvent = Math.max(w.lastEvent, lastEvent)
  }

  /** Events completed per worker over the whole scan. */
  totals(): Map<string, number> {
    return new Map([...this.#workers].map(([name, w]) => [name, w.scanEvents]))
  }

  /**
   * Load per worker over the last `intervals` seconds (each at most the history), plus the
   * whole scan when `scan` is set.
   */
  load(intervals: readonly number[], scan: boolean): Record<string, WorkerLoad> {
    const now = this.#now()
    const second = Math.floor(now / 1000)
    const out: Record<string, WorkerLoad> = {}
    for (const [name, w] of this.#workers) {
      const itv: Record<string, IntervalLoad> = {}
      for (const interval of intervals) {
        const span = Math.max(1, Math.min(interval, LOAD_HISTORY_SECONDS))
        let events = 0
        for (let s = second - span + 1; s <= second; s++) {
          const i = s % LOAD_HISTORY_SECONDS
          if (w.bucketSecond[i] === s) events += w.buckets[i] ?? 0
        }
        itv[String(interval)] = { events, rate: events / span }
      }
      if (scan) {
        const seconds = Math.max(1, (now - w.firstMs) / 1000)
        itv.scan = { events: w.scanEvents, rate: w.scanEvents / seconds }
      }
      out[name] = { last_event: w.lastEvent, intervals: itv }
    }
    return out
  }
}
