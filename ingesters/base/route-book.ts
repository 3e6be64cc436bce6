import type { WorkerName } from '../../src/internal.js'

/** The workers of one stream for a run of events; `null`: not read, `[]`: read and dropped. */
export type RouteWorkers = readonly WorkerName[] | null

interface Run {
  start: number
  end: number
  workers: RouteWorkers
}

/**
 * The routing of one stream, as non-overlapping runs of consecutive events sorted by event
 * (what assignment entries publish as `[from, to, workers]` tuples). Later writes overwrite
 * earlier ones (a re-route replaces the routes it covers). Pure.
 */
export class RouteBook {
  #runs: Run[] = []
  #cursor = 0

  /** Runs held (for tests and stats). */
  get size(): number {
    return this.#runs.length
  }

  /** Route events `[from, to)` to `workers`, replacing whatever covered them. */
  set(from: number, to: number, workers: RouteWorkers): void {
    if (!(to > from)) return
    const runs = this.#runs
    const last = runs[runs.length - 1]
    if (last === undefined || from >= last.end) {
      runs.push({ start: from, end: to, workers })
      return
    }
    // General case (a re-route): cut the runs the range touches and splice the new one in.
    let i = Math.max(0, this.#search(from))
    if (runs[i] !== undefined && runs[i]!.end <= from) i++
    let j = i
    while (j < runs.length && runs[j]!.start < to) j++
    const pieces: Run[] = []
    const first = i < j ? runs[i]! : undefined
    if (first !== undefined && first.start < from) {
      pieces.push({ start: first.start, end: from, workers: first.workers })
    }
    pieces.push({ start: from, end: to, workers })
    const tail = i < j ? runs[j - 1]! : undefined
    if (tail !== undefined && tail.end > to) {
      pieces.push({ start: to, end: tail.end, workers: tail.workers })
    }
    runs.splice(i, j - i, ...pieces)
    this.#cursor = 0
  }

  /** The route of `event`, or `undefined` when no route covers it. */
  get(event: number): RouteWorkers | undefined {
    const runs = this.#runs
    // Events are looked up mostly in ascending order: try the last run found first.
    const hint = runs[this.#cursor]
    if (hint !== undefined && hint.start <= event && event < hint.end) return hint.workers
    const next = runs[this.#cursor + 1]
    if (next !== undefined && next.start <= event && event < next.end) {
      this.#cursor += 1
      return next.workers
    }
    const i = this.#search(event)
    const run = runs[i]
    if (run === undefined || event >= run.end) return undefined
    this.#cursor = i
    return run.workers
  }

  /** Forget every run that ends at or before `event`. */
  prune(event: number): void {
    let n = 0
    while (n < this.#runs.length && this.#runs[n]!.end <= event) n++
    if (n === 0) return
    this.#runs.splice(0, n)
    this.#cursor = 0
  }

  /** Index of the last run starting at or before `event` (-1 when none). */
  #search(event: number): number {
    let lo = 0
    let hi = this.#runs.length - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (this.#runs[mid]!.start <= event) {
        found = mid
        lo = mid + 1
      } else {
        hi = mid - 1
      }
    }
    return found
  }
}
