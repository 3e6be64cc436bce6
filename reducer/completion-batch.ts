import type { CompletionReport, Range, WorkerName } from '../src/internal.js'

/**
 * Collects what the reducer finished into one {@link CompletionReport}: per worker, the events
 * as `[from, to)` ranges. Pure; the owner decides when to {@link take} (every ~20 ms or 512
 * events). Adding an event that extends a worker's last range is O(1); events out of order are
 * sorted and merged once, in `take`.
 */
export class CompletionBatch {
  readonly #workers = new Map<WorkerName, { flat: number[]; sorted: boolean }>()
  #events = 0
  #failed = 0
  #failedStreams = new Map<string, number>()

  /** Events added since the last `take`. */
  get events(): number {
    return this.#events
  }

  /**
   * Record that `worker`'s `event` is complete; `failed` when its analysis failed, on `stream`
   * when the worker said which.
   */
  add(worker: WorkerName, event: number, failed = false, stream?: string): void {
    let entry = this.#workers.get(worker)
    if (entry === undefined) {
      entry = { flat: [], sorted: true }
      this.#workers.set(worker, entry)
    }
    const flat = entry.flat
    const n = flat.length
    if (n > 0 && flat[n - 1] === event) flat[n - 1] = event + 1
    else {
      if (n > 0 && event < flat[n - 1]!) entry.sorted = false
      flat.push(event, event + 1)
    }
    this.#events++
    if (!failed) return
    this.#failed++
    if (stream !== undefined)
      this.#failedStreams.set(stream, (this.#failedStreams.get(stream) ?? 0) + 1)
  }

  /** The report of everything added since the last call, or `undefined` when nothing was. */
  take(): CompletionReport | undefined {
    if (this.#events === 0) return undefined
    const done: [WorkerName, Range[]][] = []
    for (const [worker, { flat, sorted }] of this.#workers)
      done.push([worker, toRanges(flat, sorted)])
    const report: CompletionReport = {
      done,
      failed: this.#failed,
      ...(this.#failedStreams.size === 0
        ? {}
        : { failedStreams: Object.fromEntries(this.#failedStreams) }),
    }
    this.#workers.clear()
    this.#events = 0
    this.#failed = 0
    this.#failedStreams = new Map()
    return report
  }
}

/** Flat `[from, to, from, to, …]` pairs to merged, ascending ranges. */
function toRanges(flat: readonly number[], sorted: boolean): Range[] {
  const pairs: Range[] = []
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!])
  if (!sorted) pairs.sort((a, b) => a[0] - b[0])
  const out: Range[] = []
  for (const pair of pairs) {
    const last = out[out.length - 1]
    if (last !== undefined && pair[0] <= last[1]) last[1] = Math.max(last[1], pair[1])
    else out.push([pair[0], pair[1]])
  }
  return out
}
